import { describe, expect, it } from 'vitest';
import {
  leaderboardCsv,
  leaderboardJson,
  leaderboardTable,
  paramNames,
  whyStopped,
} from '../../../src/cli/format/leaderboard.js';
import { samplerStateLabel } from '../../../src/samplers/index.js';
import { CONDITIONAL_ROWS, CONDITIONAL_SPECS, ROWS, row } from './fixtures.js';

describe('leaderboardJson', () => {
  it('has exactly the documented keys, in order', () => {
    const json = leaderboardJson(ROWS);
    expect(json.map((r) => Object.keys(r))).toEqual(
      ROWS.map(() => ['rank', 'number', 'state', 'value', 'params', 'steps', 'stopped', 'duration_ms', 'sampler_state', 'sampler']),
    );
    expect(json[0]).toEqual({
      rank: 1,
      number: 7,
      state: 'complete',
      value: 0.83,
      params: { learning_rate: 0.0092, weight_decay: 3.86e-7 },
      steps: 20,
      stopped: null,
      duration_ms: 12_345,
      sampler_state: {},
      sampler: null,
    });
    expect(json[2]?.duration_ms).toBeNull();
  });

  it('turns non-finite values into null, which JSON can carry', () => {
    const json = leaderboardJson([
      row({ rank: 1, value: Number.NaN }),
      row({ rank: 2, value: Infinity }),
      row({ rank: 3, value: -Infinity }),
      row({ rank: 4, value: null }),
    ]);
    expect(json.map((r) => r.value)).toEqual([null, null, null, null]);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it("carries each trial's sampler state and the study's sampler's label for it", () => {
    const rows = [row({ rank: 1, samplerState: { phase: 'tpe' } }), row({ rank: 2, samplerState: { phase: 'startup' } }), row({ rank: 3 })];
    const json = leaderboardJson(rows, samplerStateLabel('tpe'));
    expect(json.map((r) => [r.sampler_state, r.sampler])).toEqual([
      [{ phase: 'tpe' }, 'tpe'],
      [{ phase: 'startup' }, 'startup'],
      [{}, null],
    ]);
    expect(json[0]!.sampler_state).not.toBe(rows[0]!.samplerState);
    expect(leaderboardJson([row({ rank: 1, samplerState: { round: 2 } })], samplerStateLabel('narrowing'))[0]!.sampler).toBe('round 2');
  });

  it('copies params instead of sharing them', () => {
    const [first] = leaderboardJson(ROWS);
    expect(first?.params).not.toBe(ROWS[0]?.params);
  });
});

describe('whyStopped', () => {
  it('is null for trials that ran to the end, else the early-stopping reason or the first line of the error', () => {
    expect(whyStopped(row({ rank: 1 }))).toBeNull();
    expect(whyStopped(row({ rank: 1, attrs: { stop_reason: 'early stopping: x' } }))).toBe('early stopping: x');
    expect(whyStopped(row({ rank: 1, state: 'pruned', error: 'median: y' }))).toBe('median: y');
    expect(whyStopped(row({ rank: 1, state: 'failed', error: 'line 1\nline 2' }))).toBe('line 1');
  });
});

describe('leaderboardTable', () => {
  it('adds a stopped column, shortened, only when some trial stopped early', () => {
    const reason = 'successive halving: rung 2 (step 9): 0.41 is not in the top 3 of 10 trials (needs >= 0.62)';
    const lines = leaderboardTable([row({ rank: 1, steps: 20 }), row({ rank: 2, state: 'pruned', steps: 9, error: reason })], 'acc').split('\n');
    expect(lines[0]).toMatch(/steps  duration  stopped$/);
    expect(lines[2]).toMatch(/ -$/);
    expect(lines[3]).toContain('successive halving: rung 2 (step 9)');
    expect(lines[3]!.endsWith('…')).toBe(true);
    expect([...lines[3]!.split('  ').at(-1)!].length).toBe(60);
  });

  it('renders rank, #, state, metric, params (union, first-seen), steps, duration', () => {
    expect(leaderboardTable(ROWS, 'val_accuracy').split('\n')).toEqual([
      'rank   #  state     val_accuracy  learning_rate  weight_decay  optimizer  steps  duration',
      '────  ──  ────────  ────────────  ─────────────  ────────────  ─────────  ─────  ────────',
      '   1   7  complete          0.83         9.2e-3        3.9e-7  -             20     12.3s',
      '   2   3  complete        0.7625         0.0123          1e-5  -             18     4m05s',
      '   3  12  complete           0.5            0.1        2.5e-6  adam           5         -',
    ]);
  });

  it("adds a sampler column after state when the study's sampler labels some trial, and none for random search", () => {
    const rows = [row({ rank: 1, number: 4, samplerState: { phase: 'tpe' } }), row({ rank: 2, number: 0, samplerState: { phase: 'startup' } }), row({ rank: 3, number: 9 })];
    expect(leaderboardTable(rows, 'acc', samplerStateLabel('tpe')).split('\n')).toEqual([
      'rank  #  state     sampler  acc  steps  duration',
      '────  ─  ────────  ───────  ───  ─────  ────────',
      '   1  4  complete  tpe      0.5      0         -',
      '   2  0  complete  startup  0.5      0         -',
      '   3  9  complete  -        0.5      0         -',
    ]);
    expect(leaderboardTable(ROWS, 'val_accuracy', samplerStateLabel('random'))).toBe(leaderboardTable(ROWS, 'val_accuracy'));
    expect(leaderboardTable([row({ rank: 1, samplerState: { round: 0 } })], 'acc', samplerStateLabel('narrowing')).split('\n')[2]).toMatch(/^   1  0  complete  round 0 /);
  });

  it('shows non-finite and missing values', () => {
    const text = leaderboardTable(
      [row({ rank: 1, number: 0, state: 'failed', value: Number.NaN, steps: 0 })],
      'loss',
    );
    expect(text.split('\n')[2]).toBe('   1  0  failed   NaN      0         -');
  });
});

describe('leaderboardCsv', () => {
  it('writes raw values with params as columns', () => {
    const rows = [...ROWS, row({ rank: 4, number: 1, value: Number.NaN, params: { flag: true } })];
    expect(leaderboardCsv(rows).split('\r\n')).toEqual([
      'rank,number,state,value,learning_rate,weight_decay,optimizer,flag,steps,stopped,duration_ms',
      '1,7,complete,0.83,0.0092,3.86e-7,,,20,,12345',
      '2,3,complete,0.7625,0.0123,0.00001,,,18,,245000',
      '3,12,complete,0.5,0.1,0.0000025,adam,,5,,',
      '4,1,complete,NaN,,,,true,0,,',
      '',
    ]);
  });

  it('has a sampler column after state only when some trial has a label', () => {
    const rows = [row({ rank: 1, samplerState: { round: 1 } }), row({ rank: 2 })];
    expect(leaderboardCsv(rows, samplerStateLabel('narrowing')).split('\r\n').slice(0, 3)).toEqual([
      'rank,number,state,sampler,value,steps,stopped,duration_ms',
      '1,0,complete,round 1,0.5,0,,',
      '2,1,complete,,0.5,0,,',
    ]);
    expect(leaderboardCsv(rows, samplerStateLabel('random')).split('\r\n')[0]).toBe('rank,number,state,value,steps,stopped,duration_ms');
  });

  it('says why each trial stopped', () => {
    const rows = [
      row({ rank: 1, steps: 7, attrs: { stop_reason: 'early stopping: val_loss did not improve', best_step: 4 } }),
      row({ rank: 2, state: 'pruned', steps: 3, error: 'successive halving: rung 1' }),
      row({ rank: 3, state: 'failed', steps: 0, error: 'Error: boom\n    at objective (x.mjs:1:1)' }),
    ];
    expect(leaderboardCsv(rows).split('\r\n').slice(1, 4).map((line) => line.split(',').at(-2))).toEqual([
      'early stopping: val_loss did not improve',
      'successive halving: rung 1',
      'Error: boom',
    ]);
  });
});

describe('paramNames', () => {
  it('is the union in first-seen order', () => {
    expect(paramNames([{ params: { b: 1, a: 2 } }, { params: { c: 3, a: 4 } }])).toEqual(['b', 'a', 'c']);
  });
});

describe('params some trials lack (conditional, or asked by the objective while it ran)', () => {
  it('table: a column per param, the space order first, then the asked ones; "-" where a trial lacks one, "null" for a null value', () => {
    expect(leaderboardTable(CONDITIONAL_ROWS, 'acc', undefined, CONDITIONAL_SPECS).split('\n')).toEqual([
      'rank  #  state     acc  optimizer  momentum    lr  act   depth  steps  duration',
      '────  ─  ────────  ───  ─────────  ────────  ────  ────  ─────  ─────  ────────',
      '   1  5  complete  0.9  sgd               -  0.01  relu      -      0         -',
      '   2  2  complete  0.8  momentum        0.9  1e-3  null      3      0         -',
    ]);
    // Without the space (it could not be read): first-seen order, the same cells.
    expect(leaderboardTable(CONDITIONAL_ROWS, 'acc').split('\n')[0]).toBe('rank  #  state     acc  optimizer    lr  act   momentum  depth  steps  duration');
  });

  it('table: a param named like an Object method is absent where a trial lacks it, not a function or null', () => {
    const lines = leaderboardTable([row({ rank: 1, params: { constructor: 2 } }), row({ rank: 2, params: {} })], 'acc').split('\n');
    expect(lines[0]).toContain('constructor');
    expect(lines[3]).toMatch(/0\.5  +- +0 +-$/);
  });

  it('JSON: the param is absent from the params of a trial that lacks it, never null; a null value stays null', () => {
    const json = JSON.parse(JSON.stringify(leaderboardJson(CONDITIONAL_ROWS))) as { params: Record<string, unknown> }[];
    expect(json[0]!.params).toEqual({ optimizer: 'sgd', lr: 0.01, act: 'relu' });
    expect(Object.hasOwn(json[0]!.params, 'momentum')).toBe(false);
    expect(Object.hasOwn(json[0]!.params, 'depth')).toBe(false);
    expect(json[1]!.params).toEqual({ optimizer: 'momentum', momentum: 0.9, lr: 0.001, act: null, depth: 3 });
  });

  it('CSV: an empty field where a trial lacks a param, "null" for a null value', () => {
    expect(leaderboardCsv(CONDITIONAL_ROWS, undefined, CONDITIONAL_SPECS).split('\r\n')).toEqual([
      'rank,number,state,value,optimizer,momentum,lr,act,depth,steps,stopped,duration_ms',
      '1,5,complete,0.9,sgd,,0.01,relu,,0,,',
      '2,2,complete,0.8,momentum,0.9,0.001,null,3,0,,',
      '',
    ]);
  });

  it('paramNames: the space order for its params that some row has, then the rest first-seen', () => {
    expect(paramNames(CONDITIONAL_ROWS, CONDITIONAL_SPECS)).toEqual(['optimizer', 'momentum', 'lr', 'act', 'depth']);
    // A space param no row has gets no column.
    expect(paramNames(CONDITIONAL_ROWS.slice(0, 1), CONDITIONAL_SPECS)).toEqual(['optimizer', 'lr', 'act']);
  });
});
