import type { ParamSpecs } from '../../../src/space/types.js';
import type { LeaderboardRow, TrialDetail } from '../../../src/storage/storage.js';

export function row(over: Partial<LeaderboardRow> & Pick<LeaderboardRow, 'rank'>): LeaderboardRow {
  return {
    number: over.rank - 1,
    state: 'complete',
    value: 0.5,
    params: {},
    steps: 0,
    durationMs: null,
    samplerState: {},
    error: null,
    attrs: null,
    ...over,
  };
}

export const ROWS: LeaderboardRow[] = [
  row({
    rank: 1,
    number: 7,
    value: 0.83,
    params: { learning_rate: 0.0092, weight_decay: 3.86e-7 },
    steps: 20,
    durationMs: 12_345,
  }),
  row({
    rank: 2,
    number: 3,
    value: 0.7625,
    params: { learning_rate: 0.0123, weight_decay: 1e-5 },
    steps: 18,
    durationMs: 245_000,
  }),
  row({
    rank: 3,
    number: 12,
    value: 0.5,
    params: { learning_rate: 0.1, weight_decay: 2.5e-6, optimizer: 'adam' },
    steps: 5,
    durationMs: null,
  }),
];

export function trial(over: Partial<TrialDetail> = {}): TrialDetail {
  return {
    id: 11,
    studyId: 1,
    number: 4,
    state: 'complete',
    params: { lr: 0.0092, batch_size: 32, optimizer: 'sgd' },
    value: 0.83,
    metrics: { val_accuracy: 0.83, loss: 0.41 },
    attrs: { backend: 'wasm' },
    error: null,
    startedAt: Date.UTC(2024, 4, 1, 12, 0, 0),
    endedAt: Date.UTC(2024, 4, 1, 12, 0, 12, 300),
    samplerState: { round: 1 },
    seed: 42,
    owner: 'host:123',
    sampleIndex: 4,
    steps: [
      { step: 0, values: { loss: 1.25 } },
      { step: 1, values: { loss: 0.9, val_accuracy: 0.7 } },
    ],
    ...over,
  };
}

/** A space with a conditional param: momentum exists only with the momentum optimizers. */
export const CONDITIONAL_SPECS: ParamSpecs = {
  optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'nesterov'] },
  momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['momentum', 'nesterov'] } } },
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  act: { type: 'categorical', choices: [null, 'relu'] },
};

/** Trials of CONDITIONAL_SPECS: #5 lacks momentum (sgd); #2 also has depth, which its objective asked for while it ran. */
export const CONDITIONAL_ROWS: LeaderboardRow[] = [
  row({ rank: 1, number: 5, value: 0.9, params: { optimizer: 'sgd', lr: 0.01, act: 'relu' } }),
  row({ rank: 2, number: 2, value: 0.8, params: { optimizer: 'momentum', momentum: 0.9, lr: 0.001, act: null, depth: 3 } }),
];
