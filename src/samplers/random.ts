import { sampleParam } from '../space/distributions.js';
import type { Rng } from '../random/rng.js';
import type { Params, ParamSpecs, SearchSpace } from '../space/types.js';
import { rngFor } from '../random/rng.js';
import type { Sample, SampleContext, Sampler } from './sampler.js';

/** One value per param, drawn from `rng` in declaration order (which fixes what each draw sees). */
export function sampleParams(rng: Rng, specs: ParamSpecs): Params {
  const params: Params = {};
  for (const [name, spec] of Object.entries(specs)) params[name] = sampleParam(rng, spec);
  return params;
}

/** Draw i is a pure function of (space.seed, i), so the sequence is the same however workers interleave. */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  readonly capacity = Infinity;

  constructor(private readonly space: SearchSpace) {}

  async sample({ index, enqueued }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    // An enqueued trial's fill has its own stream: its index (its number) is also a draw's.
    return { params: sampleParams(rngFor(this.space.seed, enqueued ? 'random-enqueued' : 'random', index), this.space.params) };
  }
}

export function checkIndex(index: number, capacity: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= capacity) {
    throw new RangeError(`sample index ${index} is outside 0..${capacity - 1}`);
  }
}
