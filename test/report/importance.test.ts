import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { epsilonSquared, paramImportance, type ImportanceTrial } from '../../src/report/importance.js';
import type { ParamSpecs } from '../../src/space/types.js';

const SPECS: ParamSpecs = {
  lr: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  noise: { type: 'float', low: 0, high: 1, log: false },
  opt: { type: 'categorical', choices: ['sgd', 'adam'] },
  epochs: { type: 'fixed', value: 5 },
};

/** n trials: value = f(params) + small noise, params drawn with a fixed seed. */
function trials(n: number, value: (p: { lr: number; noise: number; opt: string }) => number, seed = 'imp'): ImportanceTrial[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, () => {
    const p = { lr: 10 ** (-6 + 4 * rng()), noise: rng(), opt: rng() < 0.5 ? 'sgd' : 'adam' };
    return { params: { ...p, epochs: 5 }, value: value(p) + 0.01 * (rng() - 0.5) };
  });
}

describe('epsilonSquared', () => {
  it('matches a hand computation', () => {
    // Groups [1, 2] and [4, 5]: mean 3, SST = 4+1+1+4 = 10, SSB = 2·1.5² + 2·1.5² = 9, SSW = 1,
    // ε² = (9 − 1 · 1/2) / 10 = 0.85.
    expect(epsilonSquared([[1, 2], [4, 5]])).toBeCloseTo(0.85, 12);
  });

  it('is 0 for one group, no spread, or no more values than groups; never negative', () => {
    expect(epsilonSquared([[1, 2, 3]])).toBe(0);
    expect(epsilonSquared([[2, 2], [2, 2]])).toBe(0);
    expect(epsilonSquared([[1], [2]])).toBe(0);
    // Group means equal: SSB = 0, the correction would go below 0.
    expect(epsilonSquared([[1, 3], [3, 1]])).toBe(0);
  });
});

describe('paramImportance', () => {
  it('gives the param that drives the objective nearly all of it, a noise param nearly none, and leaves fixed params out', () => {
    const result = paramImportance(SPECS, trials(200, (p) => -((Math.log10(p.lr) + 3) ** 2)));
    expect(result[0]!.param).toBe('lr');
    expect(result.map((r) => r.param).sort()).toEqual(['lr', 'noise', 'opt']);
    const by = Object.fromEntries(result.map((r) => [r.param, r]));
    expect(by['lr']!.importance).toBeGreaterThan(0.95);
    expect(by['lr']!.explained).toBeGreaterThan(0.9);
    expect(by['lr']!.groups).toBe(10);
    // Chance alone gives a noise param a few hundredths with 200 trials in 10 bins.
    expect(by['noise']!.importance).toBeLessThan(0.08);
    expect(by['opt']!.groups).toBe(2);
    expect(result.reduce((sum, r) => sum + r.importance, 0)).toBeCloseTo(1, 12);
    expect(by['epochs']).toBeUndefined();
  });

  it('finds a categorical param that matters', () => {
    const result = paramImportance(SPECS, trials(100, (p) => (p.opt === 'adam' ? 0.9 : 0.5)));
    expect(result[0]).toMatchObject({ param: 'opt', groups: 2 });
    expect(result[0]!.importance).toBeGreaterThan(0.95);
  });

  it('ranks two params by how much they matter', () => {
    const result = paramImportance(SPECS, trials(300, (p) => 3 * p.noise + 0.3 * Math.log10(p.lr)));
    expect(result.map((r) => r.param).slice(0, 2)).toEqual(['noise', 'lr']);
    expect(result[0]!.importance).toBeGreaterThan(result[1]!.importance);
    expect(result[1]!.importance).toBeGreaterThan(0.02);
  });

  it('keeps equal values in one bin, so grid points are never split', () => {
    const grid = Array.from({ length: 12 }, (_, i) => ({ params: { lr: [1e-4, 1e-3, 1e-2][i % 3]!, noise: 0, opt: 'sgd' }, value: i % 3 }));
    const [lr] = paramImportance({ lr: SPECS['lr']! }, grid);
    expect(lr).toMatchObject({ param: 'lr', groups: 3 });
    expect(lr!.explained).toBeCloseTo(1, 12);
  });

  it('needs 4 trials with finite values; ignores NaN and trials lacking the param', () => {
    const few = trials(3, () => 1);
    expect(paramImportance(SPECS, few)).toEqual([]);
    expect(paramImportance(SPECS, [...few, { params: { lr: 1e-3 }, value: Number.NaN }])).toEqual([]);
    const partial = [...trials(20, (p) => p.noise), { params: { opt: 'sgd' }, value: 5 }];
    const noise = paramImportance(SPECS, partial).find((r) => r.param === 'noise')!;
    expect(noise.groups).toBe(10);
  });

  it('estimates a conditional param over the trials where it is active, and says over how many', () => {
    // momentum exists only with the momentum optimizer; among those trials it sets the value.
    const specs: ParamSpecs = {
      opt: { type: 'categorical', choices: ['sgd', 'momentum'] },
      momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { opt: { kind: 'in', values: ['momentum'] } } },
    };
    const rng = seedrandom('conditional');
    const rows = Array.from({ length: 60 }, (_, i): ImportanceTrial => {
      if (i % 3 === 0) return { params: { opt: 'sgd' }, value: 0.5 + 0.01 * rng() };
      const momentum = 0.5 + 0.49 * rng();
      return { params: { opt: 'momentum', momentum }, value: momentum + 0.01 * rng() };
    });
    const by = Object.fromEntries(paramImportance(specs, rows).map((r) => [r.param, r]));
    expect(by['opt']!.trials).toBe(60);
    expect(by['momentum']!.trials).toBe(40);
    expect(by['momentum']!.groups).toBe(10);
    expect(by['momentum']!.explained).toBeGreaterThan(0.9);
    // Counted as 0 (or null) where inactive, momentum would look like a second optimizer switch.
    const filled = rows.map((r) => ({ ...r, params: { momentum: 0, ...r.params } }));
    expect(paramImportance(specs, filled).find((r) => r.param === 'momentum')!.trials).toBe(60);
  });

  it('leaves out a param fewer than 4 trials have, and takes a null value as a choice, not as absent', () => {
    const specs: ParamSpecs = { lr: SPECS['lr']!, rare: { type: 'float', low: 0, high: 1, log: false }, act: { type: 'categorical', choices: [null, 'relu'] } };
    const rows: ImportanceTrial[] = Array.from({ length: 10 }, (_, i) => ({
      params: { lr: 10 ** -(i % 5 + 1), act: i % 2 === 0 ? null : 'relu', ...(i < 3 ? { rare: i / 3 } : {}) },
      value: i % 2,
    }));
    const result = paramImportance(specs, rows);
    expect(result.map((r) => r.param).sort()).toEqual(['act', 'lr']);
    const act = result.find((r) => r.param === 'act')!;
    expect(act).toMatchObject({ groups: 2, trials: 10 });
    expect(act.explained).toBeCloseTo(1, 12);
  });

  it('says 0 for all when nothing varies', () => {
    const flat = trials(10, () => 0.5).map((t) => ({ ...t, value: 0.5 }));
    expect(paramImportance(SPECS, flat).every((r) => r.importance === 0 && r.explained === 0)).toBe(true);
  });
});
