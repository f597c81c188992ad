import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import { IndexPermutation } from '../../src/random/permutation.js';
import { rngFor } from '../../src/random/rng.js';
import { GridSampler } from '../../src/samplers/grid.js';
import { gridSize } from '../../src/space/distributions.js';
import { validateSpaceDocument } from '../../src/space/load.js';
import type { Params, ParamSpecs, ParamValue } from '../../src/space/types.js';
import { makeSpace, noHistory } from './helpers.js';

const sizeOf = (params: ParamSpecs): number => Object.values(params).reduce((product, spec) => product * gridSize(spec), 1);
/** A study that runs the whole grid: its trials are the grid size, as when a file leaves them out. */
const listed = (params: ParamSpecs): GridSampler => new GridSampler(makeSpace(params, { strategy: 'grid', trials: sizeOf(params) }));
/** A study whose budget is `trials` points of the grid. */
const partial = (params: ParamSpecs, trials: number, seed = 42): GridSampler =>
  new GridSampler(makeSpace(params, { strategy: 'grid', trials }, { seed }));
const at = async (sampler: GridSampler, index: number): Promise<Params> => (await sampler.sample({ index, history: noHistory })).params;
const first = async (sampler: GridSampler, count: number): Promise<Params[]> => {
  const points: Params[] = [];
  for (let index = 0; index < count; index++) points.push(await at(sampler, index));
  return points;
};
const distinct = (points: Params[], name: string): number => new Set(points.map((p) => p[name])).size;
const keys = (points: Params[]): string[] => points.map((p) => JSON.stringify(p));

const digit = { type: 'int', low: 0, high: 9, log: false, step: 1 } as const;

describe('GridSampler, whole grid: listing order', () => {
  const params: ParamSpecs = {
    batch: { type: 'int', low: 16, high: 128, log: false, step: 1, values: [32, 64] },
    lr: { type: 'float', low: 1e-4, high: 1, log: true, grid: 5 },
    activation: { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] },
  };

  it('visits exactly the cartesian product, last param fastest, no duplicates', async () => {
    const sampler = listed(params);
    expect(sampler.capacity).toBe(2 * 5 * 3);
    expect(sampler.order).toBe('listing');
    const expected: Params[] = [];
    for (const batch of [32, 64]) {
      for (const lr of [1e-4, 1e-3, 1e-2, 1e-1, 1]) {
        for (const activation of ['relu', 'tanh', 'sigmoid']) expected.push({ batch, lr, activation });
      }
    }
    const seen = await first(sampler, sampler.capacity);
    expect(seen).toEqual(expected);
    expect(new Set(keys(seen)).size).toBe(sampler.capacity);
    expect(Object.keys(seen[0]!)).toEqual(['batch', 'lr', 'activation']);
  });

  it('keeps the listing order whatever the seed', async () => {
    expect(await first(new GridSampler(makeSpace(params, { strategy: 'grid', trials: 30 }, { seed: 1 })), 30)).toEqual(
      await first(new GridSampler(makeSpace(params, { strategy: 'grid', trials: 30 }, { seed: 2 })), 30),
    );
  });

  it('places grid: N log-spaced points exactly on the decades', async () => {
    const sampler = listed({ lr: params.lr! });
    expect((await first(sampler, 5)).map((p) => p.lr)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1]);
  });

  it('is deterministic: an index always gives the same point, in any call order', async () => {
    const a = listed(params);
    const b = listed(params);
    const forward = await first(a, 30);
    for (let index = 29; index >= 0; index--) expect(await at(b, index)).toEqual(forward[index]);
  });

  it('rejects an index at or beyond the capacity', async () => {
    const sampler = listed(params);
    await expect(sampler.sample({ index: 30, history: noHistory })).rejects.toThrow(/outside/);
    await expect(sampler.sample({ index: 1e9, history: noHistory })).rejects.toThrow();
  });

  it('decodes a 1,000,000-point grid in mixed radix without materialising it', async () => {
    const sampler = listed({ a: digit, b: digit, c: digit, d: digit, e: digit, f: digit });
    expect(sampler.capacity).toBe(1_000_000);
    expect(await at(sampler, 999_999)).toEqual({ a: 9, b: 9, c: 9, d: 9, e: 9, f: 9 });
    expect(await at(sampler, 123_456)).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
    // Shown by size rather than by a clock: 10^15 points could not be materialised at all.
    const huge = listed(Object.fromEntries(Array.from({ length: 15 }, (_, k) => [`p${k}`, digit])));
    expect(huge.capacity).toBe(1e15);
    expect(Object.values(await at(huge, 1e15 - 1))).toEqual(Array(15).fill(9));
    expect(Object.values(await at(huge, 123_456_789_012_345))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5]);
  });

  it('mixes radices: sizes 2 x 3 decode as (i div 3, i mod 3)', async () => {
    const sampler = listed({
      x: { type: 'categorical', choices: ['a', 'b'] },
      y: { type: 'int', low: 0, high: 2, log: false, step: 1 },
      z: { type: 'fixed', value: null },
    });
    expect(sampler.capacity).toBe(6);
    expect(await at(sampler, 4)).toEqual({ x: 'b', y: 1, z: null });
  });

  it('refuses a float that has no grid points', () => {
    expect(() => listed({ lr: { type: 'float', low: 0, high: 1, log: false } })).toThrow(/lr/);
  });
});

describe('GridSampler, partial grid: seeded permuted order', () => {
  // 5 x 4: the listing's first 6 points all have a = 0 or 1.
  const fiveByFour: ParamSpecs = {
    a: { type: 'int', low: 0, high: 4, log: false, step: 1 },
    b: { type: 'categorical', choices: ['w', 'x', 'y', 'z'] },
  };

  it('takes the permuted order exactly when the stored trials are below the grid size', () => {
    expect(partial(fiveByFour, 6).order).toBe('permuted');
    expect(partial(fiveByFour, 19).order).toBe('permuted');
    expect(partial(fiveByFour, 20).order).toBe('listing');
    // As a space file gives it: no trials means the whole grid; fewer means a partial one.
    const doc = (search: Record<string, unknown>) => ({
      study: 's',
      seed: 3,
      objective: { metric: 'value', direction: 'maximize' },
      search: { strategy: 'grid', ...search },
      params: { a: { type: 'int', low: 0, high: 4 }, b: { type: 'categorical', choices: ['w', 'x', 'y', 'z'] } },
    });
    const load = (search: Record<string, unknown>) =>
      validateSpaceDocument(doc(search), 's.yaml', process.cwd(), { requireObjective: false, checkFiles: false });
    expect(new GridSampler(load({})).order).toBe('listing');
    expect(new GridSampler(load({ trials: 20 })).order).toBe('listing');
    expect(new GridSampler(load({ trials: 6 })).order).toBe('permuted');
  });

  it('spreads a 6-trial run of a 5 x 4 grid over more than one value of each param', async () => {
    const listing = await first(listed(fiveByFour), 6);
    expect(distinct(listing, 'a')).toBe(2);
    for (const seed of [1, 2, 3, 42, 1234]) {
      const points = await first(partial(fiveByFour, 6, seed), 6);
      expect(distinct(points, 'a')).toBeGreaterThan(1);
      expect(distinct(points, 'b')).toBeGreaterThan(1);
      expect(new Set(keys(points)).size).toBe(6);
      expect(keys(points)).not.toEqual(keys(listing));
    }
  });

  it('covers the first param like a random draw of 6 points would, on average over seeds', async () => {
    // A uniform 6-subset of the 20 points has 5 * (1 - C(16,6) / C(20,6)) = 3.97 values of a on
    // average; the listing's first 6 have 2. A weak shuffle (one that keeps neighbours
    // together) lands in between.
    let total = 0;
    const seeds = 200;
    for (let seed = 0; seed < seeds; seed++) total += distinct(await first(partial(fiveByFour, 6, seed), 6), 'a');
    expect(total / seeds).toBeGreaterThan(3.7);
    expect(total / seeds).toBeLessThan(4.25);
  });

  it('gives the same points for the same seed and other points for another seed', async () => {
    const a = await first(partial(fiveByFour, 6, 7), 6);
    expect(await first(partial(fiveByFour, 6, 7), 6)).toEqual(a);
    expect(keys(await first(partial(fiveByFour, 6, 8), 6))).not.toEqual(keys(a));
  });

  it('depends on the study, not on the budget: any partial trials give the same order', async () => {
    expect(await first(partial(fiveByFour, 12, 5), 20)).toEqual(await first(partial(fiveByFour, 6, 5), 20));
  });

  it('is a bijection over the whole index range: past the budget it goes on to every other point once', async () => {
    const sampler = partial(fiveByFour, 6);
    const all = await first(sampler, sampler.capacity);
    expect(new Set(keys(all)).size).toBe(20);
    expect(new Set(keys(all))).toEqual(new Set(keys(await first(listed(fiveByFour), 20))));
    await expect(sampler.sample({ index: 20, history: noHistory })).rejects.toThrow(/outside/);
  });

  it("names listing position π(i), π the seed's permutation of the positions", async () => {
    const sampler = partial(fiveByFour, 6, 9);
    const listing = await first(listed(fiveByFour), 20);
    const order = new IndexPermutation(20, rngFor(9, 'grid-order'));
    for (let index = 0; index < 20; index++) expect(await at(sampler, index)).toEqual(listing[order.at(index)]);
  });

  it('spreads a partial million-point grid too, and 10^15 points, without materialising them', async () => {
    const million = partial({ a: digit, b: digit, c: digit, d: digit, e: digit, f: digit }, 100);
    expect(million.capacity).toBe(1_000_000);
    const points = await first(million, 100);
    expect(new Set(keys(points)).size).toBe(100);
    // The listing's first 100 points share a = b = c = d = 0; 100 draws of 10 values miss a
    // value with probability about 10 * 0.9^100 = 3e-4.
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) expect(distinct(points, name)).toBe(10);
    const huge = partial(Object.fromEntries(Array.from({ length: 15 }, (_, k) => [`p${k}`, digit])), 1000);
    expect(huge.capacity).toBe(1e15);
    const spread = await first(huge, 200);
    expect(new Set(keys(spread)).size).toBe(200);
    expect(distinct(spread, 'p0')).toBe(10);
    expect(Object.values(await at(huge, 1e15 - 1))).toHaveLength(15);
  });

  it('refuses a partial grid too large to permute exactly, naming what to change', () => {
    const params = Object.fromEntries(Array.from({ length: 16 }, (_, k) => [`p${k}`, digit]));
    let caught: unknown;
    try {
      partial(params, 10);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HpsearchError);
    expect((caught as HpsearchError).code).toBe('E_VALIDATION');
    expect((caught as HpsearchError).message).toMatch(/10000000000000000 points.*fewer points per param or strategy: random/);
    // The whole grid of that size is still listed (its indices stay safe integers).
    expect(listed(params).order).toBe('listing');
  });
});

describe('GridSampler, conditional params: the tree of the grid', () => {
  const when = (parent: string, ...values: ParamValue[]) => ({ [parent]: { kind: 'in' as const, values } });
  /** The example: lr grid 2 × optimizer {sgd, momentum with 2 values, adam with 3} = 12 points. */
  const optimizers: ParamSpecs = {
    lr: { type: 'float', low: 0.01, high: 0.1, log: true, grid: 2 },
    optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
    momentum: { type: 'float', low: 0, high: 1, log: false, values: [0.5, 0.9], when: when('optimizer', 'momentum') },
    beta1: { type: 'float', low: 0, high: 1, log: false, values: [0.8, 0.9, 0.99], when: when('optimizer', 'adam') },
  };
  const twelve: Params[] = [0.01, 0.1].flatMap((lr) => [
    { lr, optimizer: 'sgd' },
    ...[0.5, 0.9].map((momentum) => ({ lr, optimizer: 'momentum', momentum })),
    ...[0.8, 0.9, 0.99].map((beta1) => ({ lr, optimizer: 'adam', beta1 })),
  ]);
  const conditional = (trials: number, seed = 42): GridSampler => new GridSampler(makeSpace(optimizers, { strategy: 'grid', trials }, { seed }));

  it('has the sum over branches as its capacity and lists each of the 12 points once, only active params, in declaration order', async () => {
    const sampler = conditional(12);
    expect(sampler.capacity).toBe(12);
    expect(sampler.order).toBe('listing');
    const points = await first(sampler, 12);
    expect(points).toEqual(twelve);
    expect(points.map((p) => Object.keys(p))).toEqual(twelve.map((p) => Object.keys(p)));
    expect(points.every((p) => Object.values(p).every((v) => v !== null && v !== undefined))).toBe(true);
    await expect(sampler.sample({ index: 12, history: noHistory })).rejects.toThrow(/outside/);
  });

  it('permutes a partial conditional grid: still a bijection of the 12 points, the same for a seed, another for another seed', async () => {
    const sampler = conditional(5, 9);
    expect(sampler.order).toBe('permuted');
    const all = await first(sampler, 12);
    expect(new Set(keys(all))).toEqual(new Set(keys(twelve)));
    expect(new Set(keys(all)).size).toBe(12);
    const order = new IndexPermutation(12, rngFor(9, 'grid-order'));
    for (const [index, point] of all.entries()) expect(point).toEqual(twelve[order.at(index)]);
    expect(await first(conditional(5, 9), 12)).toEqual(all);
    expect(keys(await first(conditional(5, 10), 12))).not.toEqual(keys(all));
  });

  it('fills an enqueued trial whose given values pick another branch than its point: the point where it has the param, else a seeded grid value', async () => {
    // In listing order, so the indices below name the points of `twelve`.
    const sampler = conditional(12);
    const fill = (index: number, name: string, values: ParamValue[]) => values[Math.floor(rngFor(42, 'grid-enqueued', index, name)() * values.length)];
    // Point 0 is (0.01, sgd): adam given, so beta1 exists, which the point lacks.
    expect(await sampler.sample({ index: 0, history: noHistory, enqueued: { optimizer: 'adam' } })).toEqual({
      params: { lr: 0.01, optimizer: 'adam', beta1: fill(0, 'beta1', [0.8, 0.9, 0.99]) },
    });
    // Point 3 is (0.01, adam, beta1 0.8): momentum given, so beta1 goes and momentum is taken as given.
    const momentum = (await sampler.sample({ index: 3, history: noHistory, enqueued: { optimizer: 'momentum', momentum: 0.7 } })).params;
    expect(momentum).toEqual({ lr: 0.01, optimizer: 'momentum', momentum: 0.7 });
    expect(Object.keys(momentum)).toEqual(['lr', 'optimizer', 'momentum']);
    // Point 1 is (0.01, momentum, 0.5): the point's own value when the given values keep its branch.
    expect((await sampler.sample({ index: 1, history: noHistory, enqueued: { lr: 0.1 } })).params).toEqual({ lr: 0.1, optimizer: 'momentum', momentum: 0.5 });
    // Deterministic from (seed, number, name), and spread over the values across numbers.
    const fills: ParamValue[] = [];
    for (let index = 0; index < 12; index++) {
      const { params } = await sampler.sample({ index, history: noHistory, enqueued: { optimizer: 'adam' } });
      expect((await sampler.sample({ index, history: noHistory, enqueued: { optimizer: 'adam' } })).params).toEqual(params);
      expect(Object.keys(params)).toEqual(['lr', 'optimizer', 'beta1']);
      if (twelve[index]['optimizer'] === 'adam') expect(params['beta1']).toBe(twelve[index]['beta1']);
      else fills.push(params['beta1']);
    }
    expect(new Set(fills).size).toBeGreaterThan(1);
  });
});
