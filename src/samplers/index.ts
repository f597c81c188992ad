import type { SearchSpace, Strategy } from '../space/types.js';
import { GridSampler } from './grid.js';
import { describeNarrowingState, NarrowingSampler } from './narrowing.js';
import { RandomSampler } from './random.js';
import { NO_SAMPLER_LABEL, type Sampler, type SamplerEntry, type SamplerStateLabel } from './sampler.js';
import { describeTpeState, TpeSampler } from './tpe/tpe.js';

export { NO_SAMPLER_LABEL } from './sampler.js';
export type { JsonValue, PastTrial, Sample, SampleContext, Sampler, SamplerEntry, SamplerFactory, SamplerState, SamplerStateLabel } from './sampler.js';
export { GridSampler } from './grid.js';
export type { GridOrder } from './grid.js';
export { RandomSampler, sampleParams } from './random.js';
export { NarrowingSampler, describeNarrowingState, narrowingRound, roundRanges } from './narrowing.js';
export type { NarrowingOptions } from './narrowing.js';
export { narrowParams } from './narrow-params.js';
export { TpeSampler, describeTpeState, tpePhase } from './tpe/tpe.js';
export type { TpePhase } from './tpe/tpe.js';
export { rngFor, trialSeed } from '../random/rng.js';
export type { Rng } from '../random/rng.js';

/**
 * One entry per strategy: how to make its sampler, and how to describe what it recorded with a
 * trial. Typed as a full Record so a new strategy cannot be left out.
 */
export const samplers: Record<Strategy, SamplerEntry> = {
  grid: { create: (space) => new GridSampler(space), describe: NO_SAMPLER_LABEL },
  random: { create: (space) => new RandomSampler(space), describe: NO_SAMPLER_LABEL },
  narrowing: { create: (space) => new NarrowingSampler(space), describe: describeNarrowingState },
  tpe: { create: (space) => new TpeSampler(space), describe: describeTpeState },
};

export function createSampler(space: SearchSpace): Sampler {
  return samplers[space.search.strategy].create(space);
}

/**
 * The describer of a study's trials, picked by the study's strategy: what the leaderboard, the
 * `trial` command and the report show as each trial's sampler label. A study whose strategy is
 * unknown (a stored space this version cannot read) gets no labels.
 */
export function samplerStateLabel(strategy: Strategy | null): SamplerStateLabel {
  return strategy === null ? NO_SAMPLER_LABEL : samplers[strategy].describe;
}
