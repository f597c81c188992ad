import { describe, expect, it } from 'vitest';
import { createSampler, GridSampler, NarrowingSampler, RandomSampler, samplers } from '../../src/samplers/index.js';
import type { ParamSpecs } from '../../src/space/types.js';
import { makeSpace, narrowingSearch } from './helpers.js';

const params: ParamSpecs = { act: { type: 'categorical', choices: ['relu', 'tanh'] } };

describe('sampler registry', () => {
  it('has a factory for every strategy', () => {
    expect(Object.keys(samplers).sort()).toEqual(['grid', 'narrowing', 'random', 'tpe']);
  });

  it('creates the sampler the space asks for', () => {
    expect(createSampler(makeSpace(params, { strategy: 'grid', trials: 2 }))).toBeInstanceOf(GridSampler);
    expect(createSampler(makeSpace(params, { strategy: 'random', trials: 2 }))).toBeInstanceOf(RandomSampler);
    const narrowing = createSampler(makeSpace(params, narrowingSearch(2, 3, 1, 0.1)));
    expect(narrowing).toBeInstanceOf(NarrowingSampler);
    expect(narrowing.name).toBe('narrowing');
    expect(narrowing.capacity).toBe(6);
  });
});
