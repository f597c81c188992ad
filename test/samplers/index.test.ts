import { describe, expect, it } from 'vitest';
import { createSampler, GridSampler, NarrowingSampler, RandomSampler, samplers, samplerStateLabel, TpeSampler } from '../../src/samplers/index.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
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
    const tpe = { strategy: 'tpe', trials: 5, ...TPE_DEFAULTS } as const;
    expect(createSampler(makeSpace(params, tpe))).toBeInstanceOf(TpeSampler);
  });
});

describe("the registry's sampler-state labels", () => {
  it('say the round for narrowing and the phase for tpe, and nothing for grid and random', () => {
    expect(samplers.narrowing.describe({ round: 2 })).toBe('round 2');
    expect(samplers.tpe.describe({ phase: 'startup' })).toBe('startup');
    expect(samplers.tpe.describe({ phase: 'tpe' })).toBe('tpe');
    expect(samplers.grid.describe({ round: 2 })).toBeNull();
    expect(samplers.random.describe({ phase: 'tpe' })).toBeNull();
  });

  it('label nothing a sampler did not record: a trial enqueued by hand, another sampler\'s key, a malformed value', () => {
    expect(samplers.narrowing.describe({})).toBeNull();
    expect(samplers.narrowing.describe({ phase: 'tpe' })).toBeNull();
    expect(samplers.narrowing.describe({ round: -1 })).toBeNull();
    expect(samplers.narrowing.describe({ round: '2' })).toBeNull();
    expect(samplers.tpe.describe({})).toBeNull();
    expect(samplers.tpe.describe({ round: 2 })).toBeNull();
    expect(samplers.tpe.describe({ phase: 'warmup' })).toBeNull();
  });

  it("are picked by the study's strategy; an unknown strategy labels nothing", () => {
    expect(samplerStateLabel('narrowing')({ round: 0 })).toBe('round 0');
    expect(samplerStateLabel('tpe')({ phase: 'tpe' })).toBe('tpe');
    expect(samplerStateLabel(null)({ round: 0, phase: 'tpe' })).toBeNull();
  });
});
