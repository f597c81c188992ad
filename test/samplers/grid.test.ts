import { describe, expect, it } from 'vitest';
import { GridSampler } from '../../src/samplers/grid.js';
import type { Params, ParamSpecs } from '../../src/space/types.js';
import { makeSpace, noHistory } from './helpers.js';

const grid = (params: ParamSpecs): GridSampler => new GridSampler(makeSpace(params, { strategy: 'grid', trials: 1 }));
const at = async (sampler: GridSampler, index: number): Promise<Params> => (await sampler.sample({ index, history: noHistory })).params;

describe('GridSampler', () => {
  const params: ParamSpecs = {
    batch: { type: 'int', low: 16, high: 128, log: false, step: 1, values: [32, 64] },
    lr: { type: 'float', low: 1e-4, high: 1, log: true, grid: 5 },
    activation: { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] },
  };

  it('visits exactly the cartesian product, last param fastest, no duplicates', async () => {
    const sampler = grid(params);
    expect(sampler.capacity).toBe(2 * 5 * 3);
    const expected: Params[] = [];
    for (const batch of [32, 64]) {
      for (const lr of [1e-4, 1e-3, 1e-2, 1e-1, 1]) {
        for (const activation of ['relu', 'tanh', 'sigmoid']) expected.push({ batch, lr, activation });
      }
    }
    const seen: Params[] = [];
    for (let index = 0; index < sampler.capacity; index++) seen.push(await at(sampler, index));
    expect(seen).toEqual(expected);
    expect(new Set(seen.map((p) => JSON.stringify(p))).size).toBe(sampler.capacity);
    expect(Object.keys(seen[0]!)).toEqual(['batch', 'lr', 'activation']);
  });

  it('places grid: N log-spaced points exactly on the decades', async () => {
    const sampler = grid({ lr: params.lr! });
    const points = [];
    for (let index = 0; index < 5; index++) points.push((await at(sampler, index)).lr);
    expect(points).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1]);
  });

  it('is deterministic: an index always gives the same point, in any call order', async () => {
    const a = grid(params);
    const b = grid(params);
    const forward = [];
    for (let index = 0; index < 30; index++) forward.push(await at(a, index));
    for (let index = 29; index >= 0; index--) expect(await at(b, index)).toEqual(forward[index]);
  });

  it('rejects an index at or beyond the capacity', async () => {
    const sampler = grid(params);
    await expect(sampler.sample({ index: 30, history: noHistory })).rejects.toThrow(/outside/);
    await expect(sampler.sample({ index: 1e9, history: noHistory })).rejects.toThrow();
  });

  it('decodes a 1,000,000-point grid in mixed radix without materialising it', async () => {
    const digit = { type: 'int', low: 0, high: 9, log: false, step: 1 } as const;
    const sampler = grid({ a: digit, b: digit, c: digit, d: digit, e: digit, f: digit });
    expect(sampler.capacity).toBe(1_000_000);
    expect(await at(sampler, 999_999)).toEqual({ a: 9, b: 9, c: 9, d: 9, e: 9, f: 9 });
    expect(await at(sampler, 123_456)).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
    // Shown by size rather than by a clock: 10^15 points could not be materialised at all.
    const huge = grid(Object.fromEntries(Array.from({ length: 15 }, (_, k) => [`p${k}`, digit])));
    expect(huge.capacity).toBe(1e15);
    expect(Object.values(await at(huge, 1e15 - 1))).toEqual(Array(15).fill(9));
    expect(Object.values(await at(huge, 123_456_789_012_345))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5]);
  });

  it('mixes radices: sizes 2 x 3 decode as (i div 3, i mod 3)', async () => {
    const sampler = grid({
      x: { type: 'categorical', choices: ['a', 'b'] },
      y: { type: 'int', low: 0, high: 2, log: false, step: 1 },
      z: { type: 'fixed', value: null },
    });
    expect(sampler.capacity).toBe(6);
    expect(await at(sampler, 4)).toEqual({ x: 'b', y: 1, z: null });
  });

  it('refuses a float that has no grid points', () => {
    expect(() => grid({ lr: { type: 'float', low: 0, high: 1, log: false } })).toThrow(/lr/);
  });
});
