import type { SearchSpace, Strategy } from '../space/types.js';
import { GridSampler } from './grid.js';
import { NarrowingSampler } from './narrowing.js';
import { RandomSampler } from './random.js';
import type { Sampler, SamplerFactory } from './sampler.js';
import { TpeSampler } from './tpe/tpe.js';

export type { JsonValue, PastTrial, Sample, SampleContext, Sampler, SamplerFactory, SamplerState } from './sampler.js';
export { GridSampler } from './grid.js';
export type { GridOrder } from './grid.js';
export { RandomSampler, sampleParams } from './random.js';
export { NarrowingSampler, narrowingRound, roundRanges } from './narrowing.js';
export type { NarrowingOptions } from './narrowing.js';
export { narrowParams } from './narrow-params.js';
export { TpeSampler, tpePhase } from './tpe/tpe.js';
export type { TpePhase } from './tpe/tpe.js';
export { rngFor, trialSeed } from '../random/rng.js';
export type { Rng } from '../random/rng.js';

/** One factory per strategy; typed as a full Record so a new strategy cannot be left out. */
export const samplers: Record<Strategy, SamplerFactory> = {
  grid: (space) => new GridSampler(space),
  random: (space) => new RandomSampler(space),
  narrowing: (space) => new NarrowingSampler(space),
  tpe: (space) => new TpeSampler(space),
};

export function createSampler(space: SearchSpace): Sampler {
  return samplers[space.search.strategy](space);
}
