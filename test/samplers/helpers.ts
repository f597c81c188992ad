import type { Direction, ParamSpecs, SearchSettings, SearchSpace } from '../../src/space/types.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import type { Params } from '../../src/space/types.js';
import type { TrialState } from '../../src/trial-state.js';

export function makeSpace(
  params: ParamSpecs,
  search: SearchSettings = { strategy: 'random', trials: 10 },
  options: { seed?: number; direction?: Direction } = {},
): SearchSpace {
  return {
    study: 'test',
    seed: options.seed ?? 42,
    objective: { metric: 'val_accuracy', direction: options.direction ?? 'maximize' },
    search,
    params,
    enqueue: [],
    earlyStopping: null,
    divergence: null,
    pruner: { type: 'none' },
    saveModels: null,
  };
}

export function narrowingSearch(rounds: number, trialsPerRound: number, keepTop: number, margin: number): SearchSettings {
  return { strategy: 'narrowing', rounds, trialsPerRound, keepTop, margin, trials: rounds * trialsPerRound };
}

/** A hand-made trial row, as storage's listTrials would return it. */
export function trial(number: number, fields: { state?: TrialState; value?: number | null; round?: number | null; params?: Params }): TrialRecord {
  return {
    id: number + 1,
    studyId: 1,
    number,
    state: fields.state ?? 'complete',
    params: fields.params ?? {},
    value: fields.value ?? null,
    metrics: null,
    attrs: null,
    error: null,
    startedAt: null,
    endedAt: null,
    samplerState: fields.round === undefined || fields.round === null ? {} : { round: fields.round },
    seed: null,
    owner: null,
    sampleIndex: number,
  };
}

export const noHistory = async (): Promise<TrialRecord[]> => [];
