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
      /** The observation kernels (all but the prior, the last) by increasing μ. */
      readonly order: Int32Array;
    }
  | {
      readonly kind: 'categorical';
      readonly dimension: Extract<TpeDimension, { kind: 'categorical' }>;
      /** Each kernel's observed choice; -1 for the prior. */
      readonly observed: Int32Array;
      /** An observation kernel's probability of its own choice, and of each other one. */
      readonly hit: number;
      readonly miss: number;
    };

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
  return sortedBandwidths(mus, low, high, settings).sigmas;
}

/** `bandwidths`, and the observations in sorted order (`order[place]` is an observation's index). */
function sortedBandwidths(mus: Float64Array, low: number, high: number, settings: ParzenSettings): { sigmas: Float64Array; order: Int32Array } {
  const n = mus.length;
  // A typed-array sort (no comparator) then each observation's sorted place by binary search;
  // equal values take their places in the order they come, as a stable argsort would.
  const padded = new Float64Array(n + 2);
  padded.set(mus, 1);
  padded.subarray(1, n + 1).sort();
  padded[0] = low;
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
  const used = new Int32Array(n);
  const order = new Int32Array(n);
  const sortedMus = padded.subarray(1, n + 1);
  for (let i = 0; i < n; i++) {
    const lo = lowerBound(sortedMus, mus[i]);
    const place = lo + used[lo]++;
    order[place] = i;
    sigmas[i] = Math.min(Math.max(sorted[place], min), range);
  }
  return { sigmas, order };
}

function numericKernels(dimension: Extract<TpeDimension, { kind: 'numeric' }>, observed: Float64Array, settings: ParzenSettings): DimensionKernels {
  const { low, high } = modelledBounds(dimension);
  const n = observed.length;
  const mus = observed.slice();
  if (dimension.log) for (let i = 0; i < mus.length; i++) mus[i] = Math.log(mus[i]);
  const { sigmas, order } = sortedBandwidths(mus, low, high, settings);
  const mu = new Float64Array(n + 1);
  const sigma = new Float64Array(n + 1);
  mu.set(mus);
  sigma.set(sigmas);
  mu[n] = 0.5 * (low + high);
  sigma[n] = high - low;
  const logMass = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) logMass[k] = logGaussMass((low - mu[k]) / sigma[k], (high - mu[k]) / sigma[k]);
  return { kind: 'numeric', dimension, mu, sigma, low, high, logMass, order };
}

/**
 * Kernel k puts prior_weight / kernels on every choice plus 1 on its observed choice, normalised;
 * the prior kernel is uniform. Every observation's row is the same up to which choice gets the
 * 1, so two numbers describe them all.
 */
function categoricalKernels(dimension: Extract<TpeDimension, { kind: 'categorical' }>, observed: Float64Array, settings: ParzenSettings): DimensionKernels {
  const kernels = observed.length + 1;
  const base = settings.priorWeight / kernels;
  const sum = dimension.choices * base + 1;
  const own = new Int32Array(kernels).fill(-1);
  own.set(observed);
  return { kind: 'categorical', dimension, observed: own, hit: (base + 1) / sum, miss: base / sum };
}

/** Kernel k's probability of each choice. */
export function choiceProbabilities(kernels: Extract<DimensionKernels, { kind: 'categorical' }>, k: number): Float64Array {
  const { choices } = kernels.dimension;
  const observed = kernels.observed[k];
  if (observed < 0) return new Float64Array(choices).fill(1 / choices);
  const row = new Float64Array(choices).fill(kernels.miss);
  row[observed] = kernels.hit;
  return row;
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
    const logWeights = new Float64Array(weights.length);
    for (let k = 0; k < weights.length; k++) logWeights[k] = Math.log(weights[k]);
    this.#logWeights = logWeights;
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
          out[s] = pick(choiceProbabilities(kernels, k), rng());
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
    const only = this.kernels.length === 1 ? this.kernels[0] : undefined;
    if (only !== undefined) return univariateLogPdf(only, this.weights, points[0]);
    const size = points[0]?.length ?? 0;
    const n = this.weights.length;
    // terms[s * n + k]: log of kernel k's density at point s, plus its log weight.
    const terms = new Float64Array(size * n);
    for (let s = 0; s < size; s++) terms.set(this.#logWeights, s * n);
    this.kernels.forEach((kernels, d) => addLogDensities(kernels, points[d], terms, n));
    const out = new Float64Array(size);
    for (let s = 0; s < size; s++) out[s] = logSumExp(terms, s * n, (s + 1) * n);
    return out;
  }
}

/**
 * `logPdf` of a mixture over one dimension, the same sum in fewer steps (univariate TPE's case:
 * one mixture per param, the bad one over nearly every trial):
 * - a categorical's density at a choice is the weight of the kernels that observed it times
 *   `hit`, the others' times `miss`, plus the prior's share;
 * - a discrete param's kernels with the same (μ, σ) pool their weights;
 * - a continuous param visits only the kernels near the point: a kernel more than
 *   σ_max·√(2·(U − T)) away (U the largest log weight + log normaliser of any kernel, T the prior's
 *   term less 60) is below e^-60 of the largest term, where it cannot move the sum.
 */
function univariateLogPdf(kernels: DimensionKernels, weights: Float64Array, xs: Float64Array): Float64Array {
  const out = new Float64Array(xs.length);
  const n = weights.length;
  if (kernels.kind === 'categorical') {
    const { observed, hit, miss } = kernels;
    const byChoice = new Float64Array(kernels.dimension.choices);
    let observedWeight = 0;
    for (let k = 0; k < n - 1; k++) {
      byChoice[observed[k]] += weights[k];
      observedWeight += weights[k];
    }
    const prior = weights[n - 1] / kernels.dimension.choices;
    for (let s = 0; s < xs.length; s++) {
      const own = byChoice[xs[s]];
      out[s] = Math.log(own * hit + (observedWeight - own) * miss + prior);
    }
    return out;
  }
  const { mu, sigma, logMass, dimension } = kernels;
  if (dimension.step !== 0) {
    const { unique, of } = distinctKernels(mu, sigma);
    const pooled = new Float64Array(unique.length);
    for (let k = 0; k < n; k++) pooled[of[k]] += weights[k];
    const logPooled = pooled.map(Math.log);
    const half = dimension.step / 2;
    const terms = new Float64Array(unique.length);
    for (let s = 0; s < xs.length; s++) {
      const left = dimension.log ? Math.log(xs[s] - half) : xs[s] - half;
      const right = dimension.log ? Math.log(xs[s] + half) : xs[s] + half;
      for (const [u, k] of unique.entries()) terms[u] = logPooled[u] + logGaussMass((left - mu[k]) / sigma[k], (right - mu[k]) / sigma[k]) - logMass[k];
      out[s] = logSumExp(terms, 0, terms.length);
    }
    return out;
  }
  const constant = new Float64Array(n);
  const scale = new Float64Array(n);
  let most = -Infinity;
  let widest = 0;
  for (let k = 0; k < n; k++) {
    constant[k] = Math.log(weights[k]) + LOG_NORM_PDF_AT_ZERO - Math.log(sigma[k]) - logMass[k];
    scale[k] = Math.SQRT1_2 / sigma[k];
    if (k < n - 1) {
      most = Math.max(most, constant[k]);
      widest = Math.max(widest, sigma[k]);
    }
  }
  const { order } = kernels;
  const sortedMu = new Float64Array(order.length);
  for (let place = 0; place < order.length; place++) sortedMu[place] = mu[order[place]];
  const prior = n - 1;
  const terms = new Float64Array(n);
  for (let s = 0; s < xs.length; s++) {
    const x = dimension.log ? Math.log(xs[s]) : xs[s];
    const zPrior = (x - mu[prior]) * scale[prior];
    const priorTerm = constant[prior] - zPrior * zPrior;
    const reach = most > priorTerm - 60 ? widest * Math.sqrt(2 * (most - (priorTerm - 60))) : -1;
    let used = 0;
    terms[used++] = priorTerm;
    for (let place = lowerBound(sortedMu, x - reach); place < sortedMu.length && sortedMu[place] <= x + reach; place++) {
      const k = order[place];
      const z = (x - mu[k]) * scale[k];
      terms[used++] = constant[k] - z * z;
    }
    out[s] = logSumExp(terms, 0, used);
  }
  return out;
}

/** The first place whose value is ≥ x, by a binary search without branches to mispredict. */
function lowerBound(sorted: Float64Array, x: number): number {
  if (sorted.length === 0) return 0;
  let base = 0;
  for (let length = sorted.length; length > 1; ) {
    const half = length >>> 1;
    base = sorted[base + half] < x ? base + half : base;
    length -= half;
  }
  return base + (sorted[base] < x ? 1 : 0);
}

/** log Σ e^values[from..to), skipping terms e^-50 below the largest (they cannot move the sum). */
function logSumExp(values: Float64Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity) return -Infinity;
  const floor = max - 50;
  let sum = 0;
  for (let i = from; i < to; i++) if (values[i] > floor) sum += Math.exp(values[i] - max);
  return Math.log(sum) + max;
}

function addLogDensities(kernels: DimensionKernels, xs: Float64Array, terms: Float64Array, n: number): void {
  const size = xs.length;
  if (kernels.kind === 'categorical') {
    const logHit = Math.log(kernels.hit);
    const logMiss = Math.log(kernels.miss);
    const logPrior = -Math.log(kernels.dimension.choices);
    const { observed } = kernels;
    for (let s = 0; s < size; s++) {
      const x = xs[s];
      for (let k = 0; k < n; k++) terms[s * n + k] += observed[k] === x ? logHit : observed[k] < 0 ? logPrior : logMiss;
    }
    return;
  }
  const { mu, sigma, logMass, dimension } = kernels;
  if (dimension.step === 0) {
    // Per kernel: -½((x - μ)/σ)² - log √(2π) - log σ - log mass.
    const constant = new Float64Array(n);
    const scale = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      constant[k] = LOG_NORM_PDF_AT_ZERO - Math.log(sigma[k]) - logMass[k];
      scale[k] = Math.SQRT1_2 / sigma[k];
    }
    for (let s = 0; s < size; s++) {
      const x = dimension.log ? Math.log(xs[s]) : xs[s];
      const base = s * n;
      for (let k = 0; k < n; k++) {
        const z = (x - mu[k]) * scale[k];
        terms[base + k] += constant[k] - z * z;
      }
    }
    return;
  }
  // Discrete: the kernel's mass on the point's cell [x - step/2, x + step/2], over its truncated
  // mass. Points repeat (a lattice, 24 draws) and so do kernels (observations on the lattice, most
  // widths clipped alike), so each distinct point meets each distinct kernel once.
  const half = dimension.step / 2;
  const { unique, of } = distinctKernels(mu, sigma);
  const rows = new Map<number, Float64Array>();
  for (let s = 0; s < size; s++) {
    let row = rows.get(xs[s]);
    if (row === undefined) {
      const left = dimension.log ? Math.log(xs[s] - half) : xs[s] - half;
      const right = dimension.log ? Math.log(xs[s] + half) : xs[s] + half;
      const cell = unique.map((k) => logGaussMass((left - mu[k]) / sigma[k], (right - mu[k]) / sigma[k]) - logMass[k]);
      row = new Float64Array(n);
      for (let k = 0; k < n; k++) row[k] = cell[of[k]];
      rows.set(xs[s], row);
    }
    for (let k = 0; k < n; k++) terms[s * n + k] += row[k];
  }
}

/** The first kernel of each distinct (μ, σ), and for every kernel the position of its pair among them. */
function distinctKernels(mu: Float64Array, sigma: Float64Array): { unique: number[]; of: Int32Array } {
  const unique: number[] = [];
  const of = new Int32Array(mu.length);
  const seen = new Map<number, Map<number, number>>();
  for (let k = 0; k < mu.length; k++) {
    let bySigma = seen.get(mu[k]);
    if (bySigma === undefined) seen.set(mu[k], (bySigma = new Map()));
    let at = bySigma.get(sigma[k]);
    if (at === undefined) {
      at = unique.length;
      unique.push(k);
      bySigma.set(sigma[k], at);
    }
    of[k] = at;
  }
  return { unique, of };
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
