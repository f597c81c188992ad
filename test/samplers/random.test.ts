import { describe, expect, it } from 'vitest';
import { RandomSampler } from '../../src/samplers/random.js';
import type { ParamSpecs, ParamValue } from '../../src/space/types.js';
import { makeSpace, noHistory } from './helpers.js';

const N = 10_000;

async function draws(params: ParamSpecs, count = N, seed = 42): Promise<Record<string, ParamValue>[]> {
  const sampler = new RandomSampler(makeSpace(params, { strategy: 'random', trials: count }, { seed }));
  const out = [];
  for (let index = 0; index < count; index++) out.push((await sampler.sample({ index, history: noHistory })).params);
  return out;
}

const numbers = (rows: Record<string, ParamValue>[], name: string): number[] => rows.map((row) => row[name] as number);
const share = (xs: number[], keep: (x: number) => boolean): number => xs.filter(keep).length / xs.length;

describe('RandomSampler distributions', () => {
  it('log float: every draw in range, half below the geometric midpoint, each decade a quarter', async () => {
    const xs = numbers(await draws({ lr: { type: 'float', low: 1e-6, high: 1e-2, log: true } }), 'lr');
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(1e-6);
      expect(x).toBeLessThanOrEqual(1e-2);
    }
    expect(Math.abs(share(xs, (x) => x < 1e-4) - 0.5)).toBeLessThanOrEqual(0.02);
    for (let decade = -6; decade < -2; decade++) {
      const inDecade = share(xs, (x) => x >= 10 ** decade && x < 10 ** (decade + 1));
      expect(Math.abs(inDecade - 0.25)).toBeLessThanOrEqual(0.02);
    }
  });

  it('uniform float: half below the arithmetic midpoint', async () => {
    const xs = numbers(await draws({ dropout: { type: 'float', low: 0.1, high: 0.5, log: false } }), 'dropout');
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0.1);
      expect(x).toBeLessThanOrEqual(0.5);
    }
    expect(Math.abs(share(xs, (x) => x < 0.3) - 0.5)).toBeLessThanOrEqual(0.02);
    // A log draw would put ~0.68 below 0.3: the linear case must not be log-distributed.
    expect(share(xs, (x) => x < 0.2)).toBeLessThan(0.27);
  });

  it('int: every value including both endpoints, with roughly equal frequency', async () => {
    const xs = numbers(await draws({ layers: { type: 'int', low: 1, high: 5, log: false, step: 1 } }), 'layers');
    for (let v = 1; v <= 5; v++) expect(Math.abs(share(xs, (x) => x === v) - 0.2)).toBeLessThanOrEqual(0.02);
    expect(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 5)).toBe(true);
  });

  it('int with a step: only the lattice, every point of it', async () => {
    const xs = numbers(await draws({ units: { type: 'int', low: 16, high: 64, log: false, step: 16 } }, 2000), 'units');
    expect(new Set(xs)).toEqual(new Set([16, 32, 48, 64]));
  });

  it('float with a step snaps onto low + k * step', async () => {
    const xs = numbers(await draws({ momentum: { type: 'float', low: 0.5, high: 0.9, log: false, step: 0.1 } }, 2000), 'momentum');
    expect(new Set(xs)).toEqual(new Set([0.5, 0.6, 0.7, 0.8, 0.9]));
  });

  it('categorical: each choice about equally often; fixed: always its value', async () => {
    const rows = await draws({
      activation: { type: 'categorical', choices: ['relu', 'tanh', 'sigmoid'] },
      epochs: { type: 'fixed', value: 5 },
    });
    for (const choice of ['relu', 'tanh', 'sigmoid']) {
      expect(Math.abs(rows.filter((row) => row.activation === choice).length / N - 1 / 3)).toBeLessThanOrEqual(0.02);
    }
    expect(rows.every((row) => row.epochs === 5)).toBe(true);
  });

  it('returns params in declaration order and has unbounded capacity', async () => {
    const [row] = await draws({ b: { type: 'fixed', value: 1 }, a: { type: 'categorical', choices: [true, false] } }, 1);
    expect(Object.keys(row!)).toEqual(['b', 'a']);
    expect(new RandomSampler(makeSpace({})).capacity).toBe(Infinity);
  });

  it('rejects a negative or fractional index', async () => {
    const sampler = new RandomSampler(makeSpace({ x: { type: 'fixed', value: 1 } }));
    await expect(sampler.sample({ index: -1, history: noHistory })).rejects.toThrow(RangeError);
    await expect(sampler.sample({ index: 1.5, history: noHistory })).rejects.toThrow(RangeError);
  });
});
