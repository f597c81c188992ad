import { sampleActive } from '../space/conditions.js';
import { sampleParam } from '../space/distributions.js';
import type { Params, ParamSpecs, ParamValue, SearchSpace } from '../space/types.js';
import { rngFor } from '../random/rng.js';
import type { Sample, SampleContext, Sampler, SuggestContext } from './sampler.js';

/**
 * One value per active param, each from its own stream `rngFor(seed, stream, index, name)`: a
 * param's draw depends on nothing but its name and the draw's index, so adding, removing or
 * deactivating another param never shifts it, and an objective that asks for the param itself
 * (define-by-run) gets what the space file would have drawn. `given` values are kept (an enqueued
 * trial's) and decide which params they make active.
 */
export function sampleParams(seed: number, stream: string, index: number, specs: ParamSpecs, given?: Params): Params {
  return sampleActive(specs, (name) => rngFor(seed, stream, index, name), given);
}

/** Draw i is a pure function of (space.seed, i), so the sequence is the same however workers interleave. */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  readonly capacity = Infinity;

  constructor(private readonly space: SearchSpace) {}

  async sample({ index, enqueued }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    // An enqueued trial's fill has its own stream: its index (its number) is also a draw's.
    return { params: sampleParams(this.space.seed, enqueued ? 'random-enqueued' : 'random', index, this.space.params, enqueued) };
  }

  async suggest({ index, name, spec, enqueued }: SuggestContext): Promise<ParamValue> {
    return sampleParam(rngFor(this.space.seed, enqueued ? 'random-enqueued' : 'random', index, name), spec);
  }
}

export function checkIndex(index: number, capacity: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new RangeError(`sample index ${index} is outside 0..${capacity - 1}`);
  }
}
