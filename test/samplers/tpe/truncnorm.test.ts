import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { erf, erfc } from '../../../src/samplers/tpe/erf.js';
import { logGaussMass, logNdtr, ndtr, ppf } from '../../../src/samplers/tpe/truncnorm.js';

/** CPython's math.erf / math.erfc and Optuna's `_truncnorm` (see test/fixtures/tpe/optuna_reference.py). */
const { truncnorm } = JSON.parse(readFileSync(new URL('../../fixtures/tpe/optuna-reference.json', import.meta.url), 'utf8')) as {
  truncnorm: { logNdtr: number[][]; logGaussMass: number[][]; ppf: number[][]; erf: number[][] };
};

/** Equal to within `ulps`-ish relative error (and exactly for 0 or infinities). */
function expectRelative(actual: number, expected: number, tolerance = 1e-14): void {
  if (expected === 0 || !Number.isFinite(expected)) expect(actual).toBe(expected);
  else expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe('erf and erfc', () => {
  it.each(truncnorm.erf)('at %d as CPython', (x, wantErf, wantErfc) => {
    expectRelative(erf(x), wantErf);
    expectRelative(erfc(x), wantErfc);
  });

  it('keep the tail of erfc where 1 - erf is 0', () => {
    expect(1 - erf(10)).toBe(0);
    expect(erfc(10)).toBeGreaterThan(0);
  });
});

describe('truncated normal', () => {
  it.each(truncnorm.logNdtr)('log Φ(%d) as Optuna', (a, want) => expectRelative(logNdtr(a), want, 1e-13));

  it.each(truncnorm.logGaussMass)('log mass on [%d, %d] as Optuna', (a, b, want) => expectRelative(logGaussMass(a, b), want, 1e-12));

  it.each(truncnorm.ppf)('quantile %d on [%d, %d] as Optuna', (q, a, b, want) => expectRelative(ppf(q, a, b), want, 1e-7));

  it('ppf inverts the truncated cdf', () => {
    for (const [a, b] of [[-1, 2], [0.5, 6], [-8, -7]]) {
      for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) {
        const x = ppf(q, a, b);
        const cdf = (ndtr(x) - ndtr(a)) / (ndtr(b) - ndtr(a));
        expect(cdf).toBeCloseTo(q, 7);
      }
    }
    expect(ppf(0, -1, 2)).toBe(-1);
    expect(ppf(1, -1, 2)).toBe(2);
  });
});
