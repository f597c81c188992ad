import { describe, expect, it } from 'vitest';
import { trialJson, trialTable } from '../../../src/cli/format/trial.js';
import { samplerStateLabel } from '../../../src/samplers/index.js';
import { CONDITIONAL_SPECS, trial } from './fixtures.js';

const narrowing = samplerStateLabel('narrowing');

describe('trialJson', () => {
  it('has the documented shape with ISO dates', () => {
    const json = trialJson(trial(), narrowing);
    expect(Object.keys(json)).toEqual([
      'number',
      'state',
      'value',
      'params',
      'round',
      'sampler',
      'sampler_state',
      'seed',
      'owner',
      'error',
      'started_at',
      'ended_at',
      'duration_ms',
      'metrics',
      'attrs',
      'steps',
      'model',
    ]);
    expect(json).toEqual({
      number: 4,
      state: 'complete',
      value: 0.83,
      params: { lr: 0.0092, batch_size: 32, optimizer: 'sgd' },
      round: 1,
      sampler: 'round 1',
      sampler_state: { round: 1 },
      seed: 42,
      owner: 'host:123',
      error: null,
      started_at: '2024-05-01T12:00:00.000Z',
      ended_at: '2024-05-01T12:00:12.300Z',
      duration_ms: 12_300,
      metrics: { val_accuracy: 0.83, loss: 0.41 },
      attrs: { backend: 'wasm' },
      steps: [
        { step: 0, loss: 1.25 },
        { step: 1, loss: 0.9, val_accuracy: 0.7 },
      ],
      model: null,
    });
    expect(Object.keys(json.steps[1] ?? {})).toEqual(['step', 'loss', 'val_accuracy']);
    const kept = { number: 4, bytes: 406_500, step: 1, savedAt: Date.UTC(2024, 4, 1, 12, 0, 13) };
    expect(trialJson(trial(), narrowing, kept).model).toEqual({ bytes: 406_500, step: 1, saved_at: '2024-05-01T12:00:13.000Z' });
    expect(trialTable(trial(), 'val_accuracy', narrowing, null, kept)).toContain('\nmodel     407 KB (step 1)\n');
  });

  it('nulls what JSON cannot carry and what is unknown', () => {
    const json = trialJson(
      trial({
        state: 'running',
        value: Number.NaN,
        metrics: null,
        endedAt: null,
        steps: [{ step: 3, values: { loss: Infinity, step: 99 } }],
      }),
    );
    expect(json.value).toBeNull();
    expect(json.metrics).toBeNull();
    expect(json.ended_at).toBeNull();
    expect(json.duration_ms).toBeNull();
    expect(json.steps).toEqual([{ step: 3, loss: null }]);
  });

  it("labels a TPE trial's phase and keeps round null; a random study's trials have no label", () => {
    const tpe = trialJson(trial({ samplerState: { phase: 'startup' } }), samplerStateLabel('tpe'));
    expect(tpe).toMatchObject({ round: null, sampler: 'startup', sampler_state: { phase: 'startup' } });
    expect(trialJson(trial({ samplerState: {} }), samplerStateLabel('random'))).toMatchObject({ round: null, sampler: null, sampler_state: {} });
    // Without the study's describer (a stored space of an unknown strategy) nothing is labelled.
    expect(trialJson(trial()).sampler).toBeNull();
    expect(trialTable(trial({ samplerState: { phase: 'tpe' } }), 'val_accuracy', samplerStateLabel('tpe'))).toMatch(/^sampler   tpe$/m);
  });
});

describe('trialTable', () => {
  it('renders key/values, params, final metrics and steps', () => {
    expect(trialTable(trial(), 'val_accuracy', narrowing)).toBe(
      [
        'number    4',
        'state     complete',
        'value     0.83 (val_accuracy)',
        'sampler   round 1',
        'seed      42',
        'owner     host:123',
        'started   2024-05-01T12:00:00.000Z',
        'ended     2024-05-01T12:00:12.300Z',
        'duration  12.3s',
        'error     -',
        'backend   wasm',
        '',
        'params',
        '  lr          9.2e-3',
        '  batch_size  32',
        '  optimizer   sgd',
        '',
        'metrics',
        '  val_accuracy  0.83',
        '  loss          0.41',
        '',
        'steps',
        'step  loss  val_accuracy',
        '────  ────  ────────────',
        '   0  1.25             -',
        '   1   0.9           0.7',
      ].join('\n'),
    );
  });

  it('indents multi-line errors and handles a bare failed trial', () => {
    const text = trialTable(
      trial({
        state: 'failed',
        value: null,
        params: {},
        metrics: null,
        attrs: null,
        error: 'Error: boom\n    at objective',
        samplerState: {},
        seed: null,
        owner: null,
        endedAt: null,
        steps: [],
      }),
      'loss',
      narrowing,
    );
    expect(text.split('\n')).toEqual([
      'number    4',
      'state     failed',
      'value     -',
      'sampler   -',
      'seed      -',
      'owner     -',
      'started   2024-05-01T12:00:00.000Z',
      'ended     -',
      'duration  -',
      'error     Error: boom',
      '              at objective',
      '',
      'params: none',
      '',
      'steps: none reported',
    ]);
  });
});

describe('a trial that lacks some params (conditional ones, or some the objective asked for)', () => {
  const sgd = trial({ params: { optimizer: 'sgd', lr: 0.01, act: null }, steps: [] });
  const nesterov = trial({ params: { optimizer: 'nesterov', lr: 0.001, momentum: 0.9, act: 'relu', depth: 3 }, steps: [] });

  it('table: lists only the params it has, in the space order, noting conditions and asked params, then the inactive ones', () => {
    const params = (t: typeof sgd) => trialTable(t, 'acc', undefined, CONDITIONAL_SPECS).split('\n\n').find((b) => b.startsWith('params'));
    expect(params(sgd)).toBe(['params', '  optimizer  sgd', '  lr         0.01', '  act        null', 'inactive: momentum (when optimizer in [momentum, nesterov])'].join('\n'));
    expect(params(nesterov)).toBe(
      [
        'params',
        '  optimizer  nesterov',
        '  momentum   0.9       when optimizer in [momentum, nesterov]',
        '  lr         1e-3',
        '  act        relu',
        '  depth      3         asked by the objective',
      ].join('\n'),
    );
    // A queued trial holds what was enqueued: the rest is drawn when it runs, not inactive.
    expect(params(trial({ state: 'queued', params: { lr: 0.01 }, steps: [] }))).toBe('params\n  lr  0.01\ndrawn when it runs: optimizer, momentum, act');
    // Without the space nothing is noted, and only the trial's own params are listed.
    expect(trialTable(sgd, 'acc')).toContain('params\n  optimizer  sgd\n  lr         0.01\n  act        null\n\nmetrics');
  });

  it('JSON: a param the trial lacks is absent, never null; a null value stays null', () => {
    const json = JSON.parse(JSON.stringify(trialJson(sgd))) as { params: Record<string, unknown> };
    expect(json.params).toEqual({ optimizer: 'sgd', lr: 0.01, act: null });
    expect(Object.keys(json.params)).not.toContain('momentum');
  });
});
