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
