import { describe, expect, it } from 'vitest';
import { buildReportData, chooseScatter, curveTrialNumbers, rankRows, type ReportInput, type ReportParam } from '../../src/report/data.js';
import type { Direction, Params, ParamSpecs } from '../../src/space/types.js';
import type { LeaderboardRow, StepRecord, TrialRecord } from '../../src/storage/storage.js';
import type { TrialState } from '../../src/trial-state.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import { makeSpace, narrowingSearch, trial } from '../samplers/helpers.js';

const PARAMS: ParamSpecs = {
  learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
  optimizer: { type: 'categorical', choices: ['sgd', 'adam'] },
  epochs: { type: 'fixed', value: 3 },
};

interface Made {
  number: number;
  state?: TrialState;
  value?: number | null;
  params?: Params;
  steps?: number;
  round?: number | null;
  /** The sampler state as stored; default `{ round }` when a round is given, else `{}`. */
  samplerState?: Record<string, string | number>;
  error?: string | null;
}

function row(m: Made): LeaderboardRow {
  return {
    rank: 0,
    number: m.number,
    state: m.state ?? 'complete',
    value: m.value ?? null,
    params: m.params ?? {},
    steps: m.steps ?? 0,
    durationMs: 10 * m.number,
    samplerState: m.samplerState ?? (m.round === undefined || m.round === null ? {} : { round: m.round }),
    error: m.error ?? null,
    attrs: null,
  };
}

function input(made: Made[], extra: Partial<ReportInput> = {}, direction: Direction = 'maximize'): ReportInput {
  const rows = made.map(row);
  const trials: TrialRecord[] = made.map((m) => ({ ...trial(m.number, { state: m.state ?? 'complete', value: m.value ?? null, round: m.round ?? null, params: m.params ?? {} }) }));
  return {
    study: { name: 's', direction, metric: 'val_accuracy', seed: 1 },
    location: 'runs/x.db',
    space: makeSpace(PARAMS, { strategy: 'random', trials: made.length }, { direction }),
    trials,
    rows,
    steps: new Map(),
    now: 1_000,
    ...extra,
  };
}

const curve = (n: number, val: number[], train?: number[]): [number, StepRecord[]] => [
  n,
  val.map((v, step) => ({ step, values: { val_accuracy: v, ...(train ? { train_accuracy: train[step]! } : {}), loss: 1 - v } })),
];

describe('rankRows and curveTrialNumbers', () => {
  const made: Made[] = [
    { number: 0, value: 0.5, steps: 3 },
    { number: 1, state: 'pruned', value: 0.9, steps: 1 },
    { number: 2, value: 0.8, steps: 3 },
    { number: 3, state: 'failed', value: null, steps: 2 },
    { number: 4, value: null, steps: 3 },
    { number: 5, state: 'running', steps: 1 },
    { number: 6, value: 0.8, steps: 3 },
    { number: 7, state: 'queued' },
    { number: 8, state: 'pruned', value: 0.2, steps: 0 },
  ];

  it('ranks like leaderboard --all: complete best first (ties by number, no value last), then pruned, failed, running, queued', () => {
    expect(rankRows(made.map(row), 'maximize').map((r) => r.number)).toEqual([2, 6, 0, 4, 1, 8, 3, 5, 7]);
    expect(rankRows(made.map(row), 'minimize').map((r) => r.number)).toEqual([0, 2, 6, 4, 8, 1, 3, 5, 7]);
  });

  it('draws curves of the best complete trials, then pruned ones, that reported steps', () => {
    expect(curveTrialNumbers(made.map(row), 'maximize')).toEqual([2, 6, 0, 4, 1]);
    expect(curveTrialNumbers(made.map(row), 'maximize', 2)).toEqual([2, 6]);
  });
});

describe('buildReportData', () => {
  it('counts states, keeps every trial in rank order with its reason, and reads the params from the space', () => {
    const data = buildReportData(
      input([
        { number: 0, value: 0.5, params: { learning_rate: 1e-3, weight_decay: 1e-6, optimizer: 'sgd', epochs: 3 } },
        { number: 1, state: 'pruned', value: 0.3, error: 'median: below' },
        { number: 2, state: 'failed', error: 'boom' },
      ]),
    );
    expect(data.counts).toEqual({ queued: 0, running: 0, complete: 1, pruned: 1, failed: 1 });
    expect(data.trials.map((t) => [t.rank, t.number, t.state, t.reason])).toEqual([
      [1, 0, 'complete', null],
      [2, 1, 'pruned', 'median: below'],
      [3, 2, 'failed', 'boom'],
    ]);
    const declared = { source: 'space', condition: null } as const;
    expect(data.params).toEqual([
      { name: 'learning_rate', type: 'float', log: true, choices: null, ...declared, trials: 1 },
      { name: 'weight_decay', type: 'float', log: true, choices: null, ...declared, trials: 1 },
      { name: 'optimizer', type: 'categorical', log: false, choices: ['"sgd"', '"adam"'], ...declared, trials: 1 },
      { name: 'epochs', type: 'fixed', log: false, choices: null, ...declared, trials: 1 },
    ]);
    expect(data.study).toEqual({ name: 's', direction: 'maximize', metric: 'val_accuracy', seed: 1, strategy: 'random', location: 'runs/x.db' });
    expect(data.generatedAt).toBe(1_000);
    expect(data.scatter).toEqual({ x: 'learning_rate', y: 'weight_decay' });
    expect(data.rounds).toBeNull();
  });

  it('draws the objective metric solid and its train_ counterpart dashed, skipping non-finite points', () => {
    const data = buildReportData(
      input([{ number: 0, value: 0.7, steps: 3 }, { number: 1, state: 'pruned', value: 0.2, steps: 2 }], {
        steps: new Map([curve(0, [0.5, 0.6, 0.7], [0.6, 0.7, 0.8]), curve(1, [0.1, Number.NaN], [0.2, 0.3])]),
      }),
    );
    expect(data.curves.validation).toBe('val_accuracy');
    expect(data.curves.training).toBe('train_accuracy');
    expect(data.curves.trials.map((t) => [t.number, t.state, t.points.length])).toEqual([
      [0, 'complete', 6],
      [1, 'pruned', 3],
    ]);
    expect(data.curves.trials[0]!.points.slice(0, 2)).toEqual([
      { step: 0, split: 'validation', value: 0.5 },
      { step: 0, split: 'training', value: 0.6 },
    ]);
  });

  it('falls back to a val_ metric when the objective metric is not reported per step, and has no training line without a counterpart', () => {
    const study = { name: 's', direction: 'maximize', metric: 'score', seed: 1 } as const;
    const steps = new Map<number, StepRecord[]>([[0, [{ step: 1, values: { val_loss: 0.4, lr: 0.3 } }]]]);
    const data = buildReportData({ ...input([{ number: 0, value: 0.7, steps: 1 }], { steps }), study });
    expect(data.curves.validation).toBe('val_loss');
    expect(data.curves.training).toBeNull();
    // Keras names the training loss plain `loss`.
    const keras = new Map<number, StepRecord[]>([[0, [{ step: 1, values: { val_loss: 0.4, loss: 0.3 } }]]]);
    expect(buildReportData({ ...input([{ number: 0, value: 0.7, steps: 1 }], { steps: keras }), study }).curves.training).toBe('loss');
    const none = buildReportData(input([{ number: 0, value: 0.7 }]));
    expect(none.curves).toEqual({ validation: null, training: null, trials: [] });
  });

  it('gives narrowing studies their rounds: round 0 is the space, round 1 is narrowed to round 0s best', () => {
    const params: ParamSpecs = { x: { type: 'float', low: 0, high: 100, log: false }, c: { type: 'categorical', choices: ['a', 'b'] } };
    const space = makeSpace(params, narrowingSearch(3, 2, 1, 0));
    const made: Made[] = [
      { number: 0, value: 0.9, round: 0, params: { x: 10, c: 'a' } },
      { number: 1, value: 0.1, round: 0, params: { x: 90, c: 'b' } },
      { number: 2, value: 0.5, round: 1, params: { x: 10, c: 'a' } },
    ];
    const data = buildReportData(input(made, { space }));
    expect(data.study.strategy).toBe('narrowing');
    expect(data.trials.map((t) => [t.number, t.round, t.sampler])).toEqual([
      [0, 0, 'round 0'],
      [2, 1, 'round 1'],
      [1, 0, 'round 0'],
    ]);
    expect(data.rounds).toEqual([
      { round: 0, trials: 2, ranges: { x: { type: 'range', low: 0, high: 100, log: false }, c: { type: 'choices', choices: ['"a"', '"b"'] } } },
      { round: 1, trials: 1, ranges: { x: { type: 'fixed', value: '10' }, c: { type: 'choices', choices: ['"a"'] } } },
    ]);
  });

  it("labels each TPE trial with its phase, and no trial of a random study", () => {
    const space = makeSpace(PARAMS, { strategy: 'tpe', trials: 3, ...TPE_DEFAULTS });
    const made: Made[] = [
      { number: 0, value: 0.5, samplerState: { phase: 'startup' } },
      { number: 1, value: 0.9, samplerState: { phase: 'tpe' } },
      { number: 2, value: 0.1, samplerState: {} },
    ];
    const data = buildReportData(input(made, { space }));
    expect(data.study.strategy).toBe('tpe');
    expect(data.trials.map((t) => [t.number, t.sampler, t.round])).toEqual([
      [1, 'tpe', null],
      [0, 'startup', null],
      [2, null, null],
    ]);
    expect(data.rounds).toBeNull();
    // The same states in a random study (or one whose space could not be read) label nothing.
    expect(buildReportData(input(made)).trials.map((t) => t.sampler)).toEqual([null, null, null]);
    expect(buildReportData(input(made, { space: null })).trials.map((t) => t.sampler)).toEqual([null, null, null]);
  });

  it('infers params when the stored space could not be rebuilt', () => {
    const data = buildReportData(
      input(
        [
          { number: 0, value: 1, params: { lr: 1e-5, act: 'relu', n: 3 } },
          { number: 1, value: 2, params: { lr: 1e-2, act: 'tanh', n: 3 } },
        ],
        { space: null },
      ),
    );
    const inferred = { source: 'inferred', condition: null, trials: 2 } as const;
    expect(data.params).toEqual([
      { name: 'lr', type: 'float', log: true, choices: null, ...inferred },
      { name: 'act', type: 'categorical', log: false, choices: ['"relu"', '"tanh"'], ...inferred },
      // All integers: an int (a batch size asked for with suggestInt reads as one).
      { name: 'n', type: 'int', log: false, choices: null, ...inferred },
    ]);
    expect(data.study.strategy).toBeNull();
  });

  it("adds the params trials asked for while they ran (define-by-run) after the space's, inferred from their values", () => {
    const data = buildReportData(input([
      { number: 0, value: 1, params: { learning_rate: 1e-3, optimizer: 'sgd', epochs: 3, momentum: 0.9, layers: 2 } },
      { number: 1, value: 2, params: { learning_rate: 1e-4, optimizer: 'adam', epochs: 3, layers: 4 } },
    ]));
    expect(data.params.map((p) => [p.name, p.type])).toEqual([
      ['learning_rate', 'float'], ['weight_decay', 'float'], ['optimizer', 'categorical'], ['epochs', 'fixed'], ['momentum', 'float'], ['layers', 'int'],
    ]);
  });
});

describe('buildReportData with params some trials lack', () => {
  // optimizer decides whether momentum exists; depth is asked by the objective while it runs.
  const CONDITIONAL: ParamSpecs = {
    optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
    momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['momentum'] } } },
    lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  };
  const made: Made[] = [
    { number: 0, value: 0.5, params: { optimizer: 'sgd', lr: 1e-3 } },
    { number: 1, value: 0.7, params: { optimizer: 'momentum', momentum: 0.9, lr: 1e-2, depth: 3 } },
    { number: 2, value: 0.6, params: { optimizer: 'momentum', momentum: 0.6, lr: 1e-3, depth: 5, head: 'mlp' } },
    { number: 3, value: 0.4, params: { optimizer: 'sgd', lr: 1e-1 } },
    { number: 4, state: 'queued', params: { lr: 1e-2 } },
  ];
  const space = makeSpace(CONDITIONAL, { strategy: 'random', trials: 5 });

  it("lists the space's params in its order with their conditions, then those only trials have, typed from their values", () => {
    const data = buildReportData(input(made, { space }));
    expect(data.params.map((p) => [p.name, p.type, p.source, p.condition, p.trials])).toEqual([
      ['optimizer', 'categorical', 'space', null, 4],
      ['momentum', 'float', 'space', 'optimizer = momentum', 2],
      ['lr', 'float', 'space', null, 5],
      ['depth', 'int', 'objective', null, 2],
      // One value, but only some trials have it: it varies by being there, so it is no fixed param.
      ['head', 'categorical', 'objective', null, 1],
    ]);
    expect(data.params.find((p) => p.name === 'head')!.choices).toEqual(['"mlp"']);
  });

  it("keeps each trial's params as stored: a param it lacks is absent, never null", () => {
    const data = buildReportData(input(made, { space }));
    const sgd = data.trials.find((t) => t.number === 0)!;
    expect(sgd.params).toEqual({ optimizer: 'sgd', lr: 1e-3 });
    expect(Object.hasOwn(sgd.params, 'momentum')).toBe(false);
    expect(JSON.stringify(data)).not.toMatch(/"momentum":null|"depth":null/);
  });

  it('infers the same params without a space, none fixed unless every trial has the one value', () => {
    const data = buildReportData(input(made, { space: null }));
    expect(data.params.map((p) => [p.name, p.type, p.source, p.trials])).toEqual([
      ['optimizer', 'categorical', 'inferred', 4],
      ['lr', 'float', 'inferred', 5],
      ['momentum', 'float', 'inferred', 2],
      ['depth', 'int', 'inferred', 2],
      ['head', 'categorical', 'inferred', 1],
    ]);
    // Inferred from the trials that have it: the ones without do not count as null or 0.
    const momentum = buildReportData(input(made.slice(0, 4), { space: null })).params.find((p) => p.name === 'momentum')!;
    expect(momentum).toMatchObject({ type: 'float', log: false });
    const everywhere = buildReportData(input([{ number: 0, value: 1, params: { k: 'a' } }, { number: 1, value: 2, params: { k: 'a' } }], { space: null }));
    expect(everywhere.params.map((p) => p.type)).toEqual(['fixed']);
  });

  it('estimates importance over the trials that have each param, saying how many', () => {
    const many = Array.from({ length: 12 }, (_, i): Made => {
      const lr = 10 ** -(1 + (i % 3));
      if (i % 2 === 0) return { number: i, value: 0.5, params: { optimizer: 'sgd', lr } };
      return { number: i, value: 0.5 + 0.04 * i, params: { optimizer: 'momentum', momentum: 0.5 + 0.04 * i, lr, depth: i } };
    });
    const data = buildReportData(input(many, { space }));
    const by = Object.fromEntries(data.importance.map((i) => [i.param, i]));
    expect(by['optimizer']!.trials).toBe(12);
    expect(by['lr']!.trials).toBe(12);
    expect(by['momentum']!.trials).toBe(6);
    // A define-by-run param is estimated too, from its inferred type.
    expect(by['depth']!.trials).toBe(6);
    // Among the momentum trials the value rises with momentum: it explains most of their variance.
    expect(by['momentum']!.explained).toBeGreaterThan(0.5);
  });
});

describe('chooseScatter', () => {
  const p = (name: string, type: ReportParam['type'] = 'float', condition: string | null = null): ReportParam => ({
    name, type, log: false, choices: null, source: 'space', condition, trials: 1,
  });
  it('takes the requested pair, else learning_rate × weight_decay, else the first two numeric params, else one against the objective', () => {
    expect(chooseScatter([p('a'), p('b'), p('c')], ['c', 'a'])).toEqual({ x: 'c', y: 'a' });
    expect(chooseScatter([p('a'), p('weight_decay'), p('learning_rate')], null)).toEqual({ x: 'learning_rate', y: 'weight_decay' });
    expect(chooseScatter([p('opt', 'categorical'), p('a', 'int'), p('b')], null)).toEqual({ x: 'a', y: 'b' });
    expect(chooseScatter([p('opt', 'categorical'), p('a')], null)).toEqual({ x: 'a', y: null });
    expect(chooseScatter([p('opt', 'categorical'), p('k', 'fixed')], null)).toBeNull();
  });

  it('prefers params without a condition, which every trial has, to conditional ones', () => {
    expect(chooseScatter([p('momentum', 'float', 'optimizer = momentum'), p('a'), p('b')], null)).toEqual({ x: 'a', y: 'b' });
    expect(chooseScatter([p('momentum', 'float', 'optimizer = momentum'), p('a')], null)).toEqual({ x: 'a', y: 'momentum' });
    expect(chooseScatter([p('momentum', 'float', 'optimizer = momentum')], null)).toEqual({ x: 'momentum', y: null });
  });
});
