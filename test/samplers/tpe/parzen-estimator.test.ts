import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bandwidths, choiceProbabilities, ParzenEstimator, type DimensionKernels, type TpeDimension } from '../../../src/samplers/tpe/parzen-estimator.js';
import { observationWeights } from '../../../src/samplers/tpe/split.js';
import { rngFor } from '../../../src/random/rng.js';

/**
 * Values from Optuna's own `_ParzenEstimator` (5.0.0.dev, the source hpsearch ports), written by
 * test/fixtures/tpe/optuna_reference.py: `python3 optuna_reference.py <optuna checkout> > optuna-reference.json`.
 */
interface Reference {
  weights: number[];
  logpdf: number[];
  dims: ({ mu: number[]; sigma: number[] } | { probabilities: number[][] })[];
}
const reference = JSON.parse(readFileSync(new URL('../../fixtures/tpe/optuna-reference.json', import.meta.url), 'utf8')) as {
  parzen: Record<string, Reference>;
  weights30: number[];
};

const DEFAULTS = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };
const float = (name: string, low: number, high: number, extra: Partial<{ log: boolean; step: number }> = {}): TpeDimension => ({
  kind: 'numeric', name, low, high, log: extra.log ?? false, step: extra.step ?? 0, int: false,
});
const int = (name: string, low: number, high: number, log = false): TpeDimension => ({ kind: 'numeric', name, low, high, log, step: 1, int: true });
const categorical = (name: string, choices: number): TpeDimension => ({ kind: 'categorical', name, choices });

const CASES: Record<string, { dims: TpeDimension[]; obs: number[][]; points: number[][]; settings?: Partial<typeof DEFAULTS> }> = {
  float: { dims: [float('x', 0, 1)], obs: [[0.2, 0.5, 0.9]], points: [[0.1, 0.5, 0.7]] },
  float_inner: { dims: [float('x', 0, 1)], obs: [[0.4, 0.5, 0.6]], points: [[0.1, 0.5, 0.7]] },
  float_endpoints_noclip: { dims: [float('x', 0, 1)], obs: [[0.4, 0.5, 0.6]], points: [[0.1, 0.5, 0.7]], settings: { considerMagicClip: false, considerEndpoints: true } },
  float_prior2: { dims: [float('x', 0, 1)], obs: [[0.2, 0.21]], points: [[0.2, 0.9]], settings: { priorWeight: 2 } },
  log: { dims: [float('x', 1e-6, 1e-2, { log: true })], obs: [[1e-5, 3e-3, 1e-4, 5e-3]], points: [[2e-6, 1e-4, 4e-3]] },
  int: { dims: [int('x', 1, 10)], obs: [[2, 2, 7]], points: [[1, 2, 5, 10]] },
  int_log: { dims: [int('x', 1, 100, true)], obs: [[3, 50]], points: [[1, 3, 40, 100]] },
  float_step: { dims: [float('x', 0, 5, { step: 0.5 })], obs: [[1, 2.5]], points: [[0, 1, 4.5]] },
  categorical: { dims: [categorical('c', 3)], obs: [[0, 2, 2]], points: [[0, 1, 2]] },
  empty: { dims: [float('x', 0, 1)], obs: [[]], points: [[0.3]] },
  joint: { dims: [float('x', 0, 1), categorical('c', 2)], obs: [[0.1, 0.8, 0.4], [1, 0, 1]], points: [[0.1, 0.1, 0.8], [1, 0, 0]] },
  many: { dims: [float('x', 0, 1)], obs: [Array.from({ length: 30 }, (_, i) => ((i * 37) % 101) / 100)], points: [[0.05, 0.5, 0.95]] },
};

function build(name: string): ParzenEstimator {
  const { dims, obs, settings } = CASES[name];
  return new ParzenEstimator(dims, obs.map((o) => Float64Array.from(o)), observationWeights(obs[0].length), { ...DEFAULTS, ...settings });
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i], digits);
}

describe('ParzenEstimator against Optuna', () => {
  for (const name of Object.keys(CASES)) {
    it(`${name}: mixture weights, kernels and log densities`, () => {
      const estimator = build(name);
      const expected = reference.parzen[name];
      expectClose(estimator.weights, expected.weights);
      estimator.kernels.forEach((kernels: DimensionKernels, d) => {
        const want = expected.dims[d];
        if (kernels.kind === 'numeric') {
          if (!('mu' in want)) throw new Error('expected numeric kernels');
          expectClose(kernels.mu, want.mu);
          expectClose(kernels.sigma, want.sigma);
        } else {
          if (!('probabilities' in want)) throw new Error('expected categorical kernels');
          want.probabilities.forEach((row, k) => expectClose(choiceProbabilities(kernels, k), row));
        }
      });
      expectClose(estimator.logPdf(CASES[name].points.map((p) => Float64Array.from(p))), expected.logpdf, 10);
    });
  }
});

describe('bandwidths, by hand', () => {
  it('takes the larger gap to the sorted neighbours, the outermost ones their inner gap, floored by the magic clip', () => {
    // Sorted 0.2, 0.5, 0.9 between bounds 0 and 1: inner gaps 0.3 (0.2's), max(0.3, 0.4) (0.5's), 0.4 (0.9's);
    // the floor is 1 / min(100, 1 + 4 kernels) = 0.2.
    expectClose(bandwidths(Float64Array.from([0.9, 0.2, 0.5]), 0, 1, DEFAULTS), [0.4, 0.3, 0.4]);
    // Close together: gaps of 0.01 are raised to the floor 0.2.
    expectClose(bandwidths(Float64Array.from([0.5, 0.51, 0.52]), 0, 1, DEFAULTS), [0.2, 0.2, 0.2]);
    // With endpoints the bounds count: 0.5 from 0 (for 0.5), 0.48 to 1 (for 0.52); without the clip 0.01 stays.
    expectClose(bandwidths(Float64Array.from([0.5, 0.51, 0.52]), 0, 1, { ...DEFAULTS, considerMagicClip: false, considerEndpoints: true }), [0.5, 0.01, 0.48]);
  });

  it('never exceeds the range, and a lone observation takes the larger gap to a bound', () => {
    // One observation at 0.1: padded 0, 0.1, 1 → max(0.1, 0.9) = 0.9 (fewer than 2 observations: endpoints always count).
    expectClose(bandwidths(Float64Array.from([0.1]), 0, 1, DEFAULTS), [0.9]);
    // With endpoints, two at 0: gaps (0, 0) and (0, 1); the first is floored at 1 / min(100, 1 + 3) = 0.25.
    expectClose(bandwidths(Float64Array.from([0, 0]), 0, 1, { ...DEFAULTS, considerEndpoints: true }), [0.25, 1]);
    expectClose(bandwidths(Float64Array.from([0.5]), 0, 0.5 + 1e-9, { ...DEFAULTS, considerMagicClip: false }), [0.5]);
  });
});

describe('kernels, by hand', () => {
  it('truncates each numeric kernel to the bounds: the log mass is log(Φ(b) − Φ(a))', () => {
    const estimator = build('float');
    const numeric = estimator.kernels[0];
    if (numeric.kind !== 'numeric') throw new Error('numeric');
    // The prior kernel: μ 0.5, σ 1 on [0, 1], i.e. Φ(0.5) − Φ(−0.5) = 0.382924922548026.
    expect(numeric.logMass[3]).toBeCloseTo(Math.log(0.382924922548026), 12);
  });

  it('widens a discrete range by half a step: an int in [1, 10] is modelled on [0.5, 10.5]', () => {
    const estimator = build('int');
    const numeric = estimator.kernels[0];
    if (numeric.kind !== 'numeric') throw new Error('numeric');
    expect([numeric.low, numeric.high]).toEqual([0.5, 10.5]);
    // The masses of all ten cells add up to 1 under the mixture.
    const cells = estimator.logPdf([Float64Array.from({ length: 10 }, (_, i) => i + 1)]);
    expect(cells.reduce((sum, logP) => sum + Math.exp(logP), 0)).toBeCloseTo(1, 12);
  });

  it('gives each categorical kernel prior_weight / kernels on every choice plus 1 on its own', () => {
    const kernels = build('categorical').kernels[0];
    if (kernels.kind !== 'categorical') throw new Error('categorical');
    // 4 kernels: 1/4 on each of 3 choices, +1 on the observed one, normalised by 7/4.
    expectClose(choiceProbabilities(kernels, 0), [5 / 7, 1 / 7, 1 / 7]);
    expectClose(choiceProbabilities(kernels, 3), [1 / 3, 1 / 3, 1 / 3]);
  });

  it('weights 30 observations with the ramp 1/30 → 1 over the oldest 5, as Optuna does', () => {
    expectClose(observationWeights(30), reference.weights30);
  });
});

describe('sampling', () => {
  it('draws inside the bounds, on the lattice, and follows the density', () => {
    const estimator = build('int');
    const [draws] = estimator.sample(rngFor(1, 'test'), 20_000);
    const counts = new Map<number, number>();
    for (const x of draws) {
      expect(Number.isInteger(x) && x >= 1 && x <= 10).toBe(true);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    const mass = estimator.logPdf([Float64Array.from([2, 9])]).map(Math.exp);
    // Frequencies within 3 standard errors of the masses.
    for (const [i, x] of [2, 9].entries()) {
      const p = mass[i];
      expect(Math.abs((counts.get(x) ?? 0) / 20_000 - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / 20_000));
    }
  });

  it('draws log params inside their bounds and categoricals among the choices', () => {
    const [xs] = build('log').sample(rngFor(2, 'test'), 2000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1e-6);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1e-2);
    const [, cs] = build('joint').sample(rngFor(3, 'test'), 2000);
    expect(new Set(cs)).toEqual(new Set([0, 1]));
  });

  it('keeps the dimensions of a joint draw together: one kernel per draw', () => {
    // Ten observations at (0.1, choice 0) and ten at (0.9, choice 1): most kernels are narrow, so a
    // draw near 0.1 comes with choice 0 and one near 0.9 with choice 1; independent draws would agree half the time.
    const dims = [float('x', 0, 1), categorical('c', 2)];
    const xs0 = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 0.1 : 0.9));
    const cs0 = Float64Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1));
    const estimator = new ParzenEstimator(dims, [xs0, cs0], observationWeights(20), DEFAULTS);
    const [xs, cs] = estimator.sample(rngFor(4, 'test'), 2000);
    let agree = 0;
    for (let s = 0; s < xs.length; s++) if ((xs[s] < 0.5 ? 0 : 1) === cs[s]) agree++;
    expect(agree / xs.length).toBeGreaterThan(0.8);
  });
});
