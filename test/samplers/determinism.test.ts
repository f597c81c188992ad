import { describe, expect, it } from 'vitest';
import { createSampler } from '../../src/samplers/index.js';
import type { Params, ParamSpecs, SearchSettings } from '../../src/space/types.js';
import { makeSpace, narrowingSearch, noHistory } from './helpers.js';

const params: ParamSpecs = {
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  units: { type: 'int', low: 8, high: 512, log: true, step: 1 },
  dropout: { type: 'float', low: 0, high: 0.5, log: false },
  activation: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
};

async function sequence(search: SearchSettings, seed: number, order: number[]): Promise<Params[]> {
  const sampler = createSampler(makeSpace(params, search, { seed }));
  const out: Params[] = [];
  for (const index of order) out[index] = (await sampler.sample({ index, history: noHistory })).params;
  return out;
}

const forward = Array.from({ length: 20 }, (_, i) => i);
const shuffled = [7, 3, 19, 0, 12, 5, 18, 1, 9, 14, 2, 16, 4, 11, 6, 17, 8, 13, 10, 15];

describe.each<[string, SearchSettings]>([
  ['random', { strategy: 'random', trials: 20 }],
  ['narrowing round 0', narrowingSearch(2, 20, 5, 0.1)],
])('%s sampler determinism', (_name, search) => {
  it('gives the same params for an index whatever order indices are drawn in', async () => {
    expect(await sequence(search, 42, shuffled)).toEqual(await sequence(search, 42, forward));
  });

  it('gives the same sequence for the same seed from a fresh sampler', async () => {
    expect(await sequence(search, 7, forward)).toEqual(await sequence(search, 7, forward));
  });

  it('gives different sequences for different seeds, and different params per index', async () => {
    const a = await sequence(search, 1, forward);
    const b = await sequence(search, 2, forward);
    for (let i = 0; i < forward.length; i++) expect(a[i]!.lr).not.toBe(b[i]!.lr);
    expect(new Set(a.map((p) => p.lr)).size).toBe(forward.length);
  });
});

describe('random vs narrowing streams', () => {
  it('use separate generators, so the two strategies do not replay each other', async () => {
    const random = await sequence({ strategy: 'random', trials: 20 }, 42, forward);
    const narrowing = await sequence(narrowingSearch(2, 20, 5, 0.1), 42, forward);
    expect(random[0]!.lr).not.toBe(narrowing[0]!.lr);
  });
});
