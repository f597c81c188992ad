import { erf, erfc } from './erf.js';

/**
 * The standard normal truncated to [a, b], in log space where the tails need it: a port of
 * Optuna's `_tpe/_truncnorm.py` (itself after SciPy's truncnorm), one number at a time, since
 * the estimators call it per kernel rather than on arrays.
 */

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const NDTRI_EXP_APPROX_C = Math.sqrt(3) / Math.PI;
const CENTRAL_CUTOFF = 6 * SQRT2;

/** Φ(a), through erfc in the tails so neither side rounds to 0 or 1 early. */
export function ndtr(a: number): number {
  const x = a / SQRT2;
  if (x < -1 / SQRT2) return 0.5 * erfc(-x);
  if (x < 1 / SQRT2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/** log Φ(a), with the asymptotic series below -20 where Φ(a) underflows. */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let lastTotal = 0;
  let rightHandSide = 1;
  let numerator = 1;
  let denomFactor = 1;
  const denomCons = 1 / (a * a);
  let sign = 1;
  for (let i = 1; Math.abs(lastTotal - rightHandSide) > Number.EPSILON; i++) {
    lastTotal = rightHandSide;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rightHandSide += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rightHandSide);
}

/** log(e^p + e^q). */
function logSum(p: number, q: number): number {
  const max = Math.max(p, q);
  if (max === -Infinity) return -Infinity;
  return max + Math.log1p(Math.exp(Math.min(p, q) - max));
}

/** log(e^p - e^q), p ≥ q. */
function logDiff(p: number, q: number): number {
  return p + Math.log1p(-Math.exp(q - p));
}

/** log(Φ(b) - Φ(a)): the log of the normal's mass on [a, b], worked in the left tail where it is accurate. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  // Central: 1 - Φ(a) - Φ(-b) keeps its digits as the mass nears 1, where the log-difference cancels.
  // Beyond ±6√2 erf is ±1 exactly, so both tails are 0: the common case of a narrow kernel inside.
  if (a <= -CENTRAL_CUTOFF && b >= CENTRAL_CUTOFF) return 0;
  return Math.log1p(-(0.5 + 0.5 * erf(a / SQRT2)) - (0.5 + 0.5 * erf(-b / SQRT2)));
}

/** The x with log Φ(x) = y (y ≤ 0), by Newton's method from a tail or logistic first guess. */
function ndtriExp(y: number): number {
  const flipped = y > -1e-2;
  const z = flipped ? Math.log(-Math.expm1(y)) : y;
  let x = z < -5 ? -Math.sqrt(-2 * (z + LOG_SQRT_2PI)) : -NDTRI_EXP_APPROX_C * Math.log(Math.expm1(-z));
  for (let i = 0; i < 100; i++) {
    const logNdtrX = logNdtr(x);
    const logNormPdfX = -0.5 * x * x - LOG_SQRT_2PI;
    const dx = (logNdtrX - z) * Math.exp(logNdtrX - logNormPdfX);
    x -= dx;
    if (Math.abs(dx) < 1e-8 * Math.abs(x)) break;
  }
  return flipped ? -x : x;
}

/** The quantile q ∈ [0, 1] of the standard normal truncated to [a, b]. */
export function ppf(q: number, a: number, b: number): number {
  if (a === b) return NaN;
  if (q === 0) return a;
  if (q === 1) return b;
  const logMass = logGaussMass(a, b);
  if (a < 0) return ndtriExp(logSum(logNdtr(a), Math.log(q) + logMass));
  // For a ≥ 0 the same from the right, where log Φ would lose the digits.
  return -ndtriExp(logSum(logNdtr(-b), Math.log1p(-q) + logMass));
}

/** -log √(2π): the standard normal's log density at 0, for the estimators' density sums. */
export const LOG_NORM_PDF_AT_ZERO = -LOG_SQRT_2PI;
