import { formatNumber } from '../format/numbers.js';
import { HpsearchError } from '../errors.js';
import type { Direction } from '../space/types.js';
import type { PruneContext, PruneDecision, Pruner } from './pruner.js';
import type { PercentileSettings } from '../space/pruner-spec.js';

export interface PercentilePrunerOptions {
  /** The study metric's name, for reasons ("best val_accuracy so far ..."); default "value". */
  metric?: string;
  /** The spec type it stands for; default `percentile`. */
  name?: string;
}

const KEEP: PruneDecision = { prune: false };

/**
 * Optuna's PercentilePruner: prune a trial whose best value so far is worse than the p-th
 * percentile of the complete trials' values at the same step (p = 25 keeps the top 25 %).
 *
 * Differences from Optuna, forced by what a PruneContext holds: `startupTrials` counts the complete
 * trials that reached this step (Optuna counts every complete trial), and a NaN at the current step
 * prunes at once (Optuna only prunes when every value so far is NaN).
 */
export class PercentilePruner implements Pruner {
  readonly name: string;
  readonly #percentile: number;
  readonly #settings: PercentileSettings;
  readonly #metric: string;

  constructor(percentile: number, settings: PercentileSettings, options: PercentilePrunerOptions = {}) {
    if (!(percentile >= 0 && percentile <= 100)) fail(`pruner.percentile must be between 0 and 100, got ${percentile}`);
    requireInteger('warmup_steps', settings.warmupSteps, 0);
    requireInteger('startup_trials', settings.startupTrials, 0);
    requireInteger('min_trials', settings.minTrials, 1);
    requireInteger('interval_steps', settings.intervalSteps, 1);
    this.name = options.name ?? 'percentile';
    this.#percentile = percentile;
    this.#settings = { ...settings };
    this.#metric = options.metric ?? 'value';
  }

  async decide(ctx: PruneContext): Promise<PruneDecision> {
    const { step, curve, direction } = ctx;
    const current = curve.get(step);
    if (current === undefined) return KEEP;
    if (Number.isNaN(current)) return { prune: true, reason: `${this.name}: ${this.#metric} is NaN at step ${step}` };
    const { warmupSteps, intervalSteps, startupTrials, minTrials } = this.#settings;
    if (step < warmupSteps) return KEEP;
    if (!isFirstInInterval(step, curve.keys(), warmupSteps, intervalSteps)) return KEEP;

    const peers = (await ctx.peersAt(step)).filter((p) => p.state === 'complete' && !Number.isNaN(p.value)).map((p) => p.value);
    if (peers.length < startupTrials || peers.length < minTrials) return KEEP;

    const best = bestSoFar(curve.values(), direction);
    // For maximize, "the bottom p %" lies below the (100 - p)-th percentile.
    const q = direction === 'maximize' ? 100 - this.#percentile : this.#percentile;
    const threshold = linearPercentile(peers, q);
    const worse = direction === 'maximize' ? best < threshold : best > threshold;
    if (!worse) return KEEP;
    const where = q === 50 ? 'the median' : `the ${ordinal(q)} percentile`;
    const side = direction === 'maximize' ? 'below' : 'above';
    return {
      prune: true,
      reason:
        `${this.name}: best ${this.#metric} so far ${formatNumber(best)} is ${side} ${where} ${formatNumber(threshold)}` +
        ` of ${peers.length} complete trial${peers.length === 1 ? '' : 's'} at step ${step}`,
    };
  }
}

/** Optuna's MedianPruner is the 50th percentile; one implementation, two names. */
export function medianPruner(settings: PercentileSettings, options: { metric?: string } = {}): PercentilePruner {
  return new PercentilePruner(50, settings, { ...options, name: 'median' });
}

/** numpy's default (`linear`) percentile: q in [0, 100], interpolating between the two nearest ranks. */
export function linearPercentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  // Without this, equal infinite neighbours would give inf - inf = NaN.
  if (lo === hi || a === b) return a;
  return a + (b - a) * (rank - lo);
}

/**
 * Optuna's interval rule: decide at the first reported step of each interval after the warm-up.
 * With every step reported this is `(step - warmup) % interval === 0`, but a trial that reports
 * only some steps (a module objective reporting every other epoch) still gets checked, just later.
 */
function isFirstInInterval(step: number, steps: Iterable<number>, warmup: number, interval: number): boolean {
  const intervalStart = Math.floor((step - warmup) / interval) * interval + warmup;
  let previous = -Infinity;
  for (const s of steps) if (s < step && s > previous) previous = s;
  return previous < intervalStart;
}

function bestSoFar(values: Iterable<number>, direction: Direction): number {
  let best = NaN;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (direction === 'maximize' ? v > best : v < best)) best = v;
  }
  return best;
}

function ordinal(q: number): string {
  if (!Number.isInteger(q)) return `${formatNumber(q)}th`;
  const teen = q % 100 >= 11 && q % 100 <= 13;
  const suffix = teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[q % 10] ?? 'th';
  return `${q}${suffix}`;
}

function requireInteger(setting: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail(`pruner.${setting} must be an integer >= ${min}, got ${value}`);
}

function fail(message: string): never {
  throw new HpsearchError('E_USAGE', message);
}
