import type { Rng } from '../../random/rng.js';
import { LOG_NORM_PDF_AT_ZERO, logGaussMass, ppf } from './truncnorm.js';

/**
 * A Parzen estimator: a weighted mixture of product kernels, one per observation plus a prior,
 * as Optuna's `_ParzenEstimator` (`_tpe/parzen_estimator.py`). In a mixture over several
 * dimensions (multivariate TPE) kernel k is the product of each dimension's kernel k, so the
 * dimensions of one observation stay together; univariate TPE builds one mixture per param.
 *
 * Values are in their internal form: a number for a numeric param, the index of the choice for
 * a categorical one.
 */

/** A param as TPE models it. `step` 0 is continuous; log params are modelled in log space. */
export type TpeDimension =
  | { readonly kind: 'numeric'; readonly name: string; readonly low: number; readonly high: number; readonly log: boolean; readonly step: number; readonly int: boolean }
  | { readonly kind: 'categorical'; readonly name: string; readonly choices: number };

export interface ParzenSettings {
  readonly priorWeight: number;
  readonly considerMagicClip: boolean;
  readonly considerEndpoints: boolean;
}

/** What one dimension's kernels are; `mu`/`sigma` in the modelled (log for log params) space. */
export type DimensionKernels =
  | {
      readonly kind: 'numeric';
      readonly dimension: Extract<TpeDimension, { kind: 'numeric' }>;
      readonly mu: Float64Array;
      readonly sigma: Float64Array;
      /** The bounds in the modelled space, widened by step/2 for a discrete param. */
      readonly low: number;
      readonly high: number;
      /** log of each kernel's normal mass on [low, high]: its truncation. */
      readonly logMass: Float64Array;
    }
  | { readonly kind: 'categorical'; readonly dimension: Extract<TpeDimension, { kind: 'categorical' }>; readonly probabilities: Float64Array[] };

const EPS = 1e-12;

/** The modelled bounds of a numeric param: widened by step/2 when discrete, then logged when log. */
export function modelledBounds(dimension: Extract<TpeDimension, { kind: 'numeric' }>): { low: number; high: number } {
  const low = dimension.low - dimension.step / 2;
  const high = dimension.high + dimension.step / 2;
  return dimension.log ? { low: Math.log(low), high: Math.log(high) } : { low, high };
}

/**
 * Kernel widths: each observation's larger gap to its sorted neighbours, the bounds standing in
 * for the missing neighbour at the ends; without `considerEndpoints` the outermost two take the
 * gap on their inner side only. Then clipped to [range / min(100, 1 + kernels), range] with the
 * magic clip (kernels counts the prior), else to [1e-12, range].
 */
export function bandwidths(mus: Float64Array, low: number, high: number, settings: ParzenSettings): Float64Array {
  const n = mus.length;
  const order = Array.from(mus.keys()).sort((i, j) => mus[i] - mus[j]);
  const padded = new Float64Array(n + 2);
  padded[0] = low;
  for (let i = 0; i < n; i++) padded[i + 1] = mus[order[i]];
  padded[n + 1] = high;
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = Math.max(padded[i + 1] - padded[i], padded[i + 2] - padded[i + 1]);
  if (!settings.considerEndpoints && n + 2 >= 4) {
    sorted[0] = padded[2] - padded[1];
    sorted[n - 1] = padded[n] - padded[n - 1];
  }
  const range = high - low;
  const min = settings.considerMagicClip ? range / Math.min(100, 1 + (n + 1)) : EPS;
  const sigmas = new Float64Array(n);
  for (let i = 0; i < n; i++) sigmas[order[i]] = Math.min(Math.max(sorted[i], min), range);
  return sigmas;
}

function numericKernels(dimension: Extract<TpeDimension, { kind: 'numeric' }>, observed: Float64Array, settings: ParzenSettings): DimensionKernels {
  const { low, high } = modelledBounds(dimension);
  const n = observed.length;
  const mus = dimension.log ? observed.map(Math.log) : observed.slice();
  const sigmas = bandwidths(mus, low, high, settings);
  const mu = new Float64Array(n + 1);
  const sigma = new Float64Array(n + 1);
  mu.set(mus);
  sigma.set(sigmas);
  mu[n] = 0.5 * (low + high);
  sigma[n] = high - low;
  const logMass = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) logMass[k] = logGaussMass((low - mu[k]) / sigma[k], (high - mu[k]) / sigma[k]);
  return { kind: 'numeric', dimension, mu, sigma, low, high, logMass };
}

/**
 * Kernel k puts prior_weight / kernels on every choice plus 1 on its observed choice, normalised;
 * the prior kernel is uniform.
 */
function categoricalKernels(dimension: Extract<TpeDimension, { kind: 'categorical' }>, observed: Float64Array, settings: ParzenSettings): DimensionKernels {
  const kernels = observed.length + 1;
  const probabilities: Float64Array[] = [];
  for (let k = 0; k < kernels; k++) {
    const row = new Float64Array(dimension.choices).fill(settings.priorWeight / kernels);
    if (k < observed.length) row[observed[k]] += 1;
    const sum = row.reduce((a, b) => a + b, 0);
    probabilities.push(sum === 0 ? row : row.map((p) => p / sum));
  }
  return { kind: 'categorical', dimension, probabilities };
}

export class ParzenEstimator {
  /** Mixture weights, the prior's last; they sum to 1. */
  readonly weights: Float64Array;
  readonly kernels: readonly DimensionKernels[];
  readonly #logWeights: Float64Array;

  /**
   * @param observations per dimension, one value per observation (same length for all)
   * @param observationWeights one per observation (the age ramp), before the prior is added
   */
  constructor(dimensions: readonly TpeDimension[], observations: readonly Float64Array[], observationWeights: Float64Array, settings: ParzenSettings) {
    const n = observationWeights.length;
    const weights = new Float64Array(n + 1);
    weights.set(observationWeights);
    weights[n] = n === 0 ? 1 : settings.priorWeight;
    const total = weights.reduce((a, b) => a + b, 0);
    for (let k = 0; k <= n; k++) weights[k] /= total;
    this.weights = weights;
    this.#logWeights = weights.map(Math.log);
    this.kernels = dimensions.map((dimension, d) =>
      dimension.kind === 'numeric' ? numericKernels(dimension, observations[d], settings) : categoricalKernels(dimension, observations[d], settings),
    );
  }

  /** `size` draws, as one value array per dimension: a kernel by weight, then each dimension from it. */
  sample(rng: Rng, size: number): Float64Array[] {
    const active = new Int32Array(size);
    for (let s = 0; s < size; s++) active[s] = pick(this.weights, rng());
    return this.kernels.map((kernels) => {
      const out = new Float64Array(size);
      for (let s = 0; s < size; s++) {
        const k = active[s];
        if (kernels.kind === 'categorical') {
          out[s] = pick(kernels.probabilities[k], rng());
          continue;
        }
        const { mu, sigma, low, high, dimension } = kernels;
        let x = ppf(rng(), (low - mu[k]) / sigma[k], (high - mu[k]) / sigma[k]) * sigma[k] + mu[k];
        if (dimension.log) x = Math.exp(x);
        if (dimension.step !== 0) {
          x = dimension.low + Math.round((x - dimension.low) / dimension.step) * dimension.step;
          x = Math.min(Math.max(x, dimension.low), dimension.high);
        }
        out[s] = x;
      }
      return out;
    });
  }

  /** log density of the mixture at each of the given points (one value array per dimension). */
  logPdf(points: readonly Float64Array[]): Float64Array {
    const size = points[0]?.length ?? 0;
    const n = this.weights.length;
    // terms[s * n + k]: log of kernel k's density at point s, plus its log weight.
    const terms = new Float64Array(size * n);
    for (let s = 0; s < size; s++) terms.set(this.#logWeights, s * n);
    this.kernels.forEach((kernels, d) => addLogDensities(kernels, points[d], terms, n));
    const out = new Float64Array(size);
    for (let s = 0; s < size; s++) {
      let max = -Infinity;
      for (let k = 0; k < n; k++) max = Math.max(max, terms[s * n + k]);
      if (max === -Infinity) {
        out[s] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(terms[s * n + k] - max);
      out[s] = Math.log(sum) + max;
    }
    return out;
  }
}

function addLogDensities(kernels: DimensionKernels, xs: Float64Array, terms: Float64Array, n: number): void {
  const size = xs.length;
  if (kernels.kind === 'categorical') {
    for (let s = 0; s < size; s++) {
      for (let k = 0; k < n; k++) terms[s * n + k] += Math.log(kernels.probabilities[k][xs[s]]);
    }
    return;
  }
  const { mu, sigma, logMass, dimension } = kernels;
  if (dimension.step === 0) {
    // Per kernel: -½((x - μ)/σ)² - log √(2π) - log σ - log mass.
    const constant = new Float64Array(n);
    for (let k = 0; k < n; k++) constant[k] = LOG_NORM_PDF_AT_ZERO - Math.log(sigma[k]) - logMass[k];
    for (let s = 0; s < size; s++) {
      const x = dimension.log ? Math.log(xs[s]) : xs[s];
      for (let k = 0; k < n; k++) {
        const z = (x - mu[k]) / sigma[k];
        terms[s * n + k] += constant[k] - 0.5 * z * z;
      }
    }
    return;
  }
  // Discrete: the kernel's mass on the point's cell [x - step/2, x + step/2], over its truncated
  // mass. Points repeat (a lattice, 24 draws), so each distinct one is worked out once.
  const half = dimension.step / 2;
  const rows = new Map<number, Float64Array>();
  for (let s = 0; s < size; s++) {
    let row = rows.get(xs[s]);
    if (row === undefined) {
      const left = dimension.log ? Math.log(xs[s] - half) : xs[s] - half;
      const right = dimension.log ? Math.log(xs[s] + half) : xs[s] + half;
      row = new Float64Array(n);
      for (let k = 0; k < n; k++) row[k] = logGaussMass((left - mu[k]) / sigma[k], (right - mu[k]) / sigma[k]) - logMass[k];
      rows.set(xs[s], row);
    }
    for (let k = 0; k < n; k++) terms[s * n + k] += row[k];
  }
}

/** The index whose cumulative weight first exceeds u (the last one on round-off). */
function pick(weights: Float64Array, u: number): number {
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i];
    if (u < cumulative) return i;
  }
  return weights.length - 1;
}
