import { formatNumber } from '../format/numbers.js';
import { HpsearchError } from '../errors.js';
import type { PruneContext, PruneDecision, Pruner } from './pruner.js';
import type { SuccessiveHalvingSettings } from '../space/pruner-spec.js';

export interface SuccessiveHalvingOptions {
  /** The study metric's name, for reasons; default: none (just the number). */
  metric?: string;
  /** What reasons start with; Hyperband names its bracket here. Default `successive halving`. */
  label?: string;
}

const KEEP: PruneDecision = { prune: false };

/**
 * Asynchronous successive halving (ASHA; Optuna's SuccessiveHalvingPruner). Rung k sits at step
 * minResource · η^(minEarlyStoppingRate + k); a trial reporting a rung step goes on only if its
 * value is in the top 1/η of the values every trial of the study reported at that step.
 *
 * Unlike Optuna, a trial is judged only at the exact rung step: peers' values are looked up by
 * step, so a trial that skips a rung step is not judged at that rung.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = 'successive_halving';
  readonly #settings: SuccessiveHalvingSettings;
  readonly #label: string;
  readonly #metric: string | null;

  constructor(settings: SuccessiveHalvingSettings, options: SuccessiveHalvingOptions = {}) {
    checkRungSettings(settings.minResource, settings.reductionFactor);
    requireInteger('min_early_stopping_rate', settings.minEarlyStoppingRate, 0);
    requireInteger('bootstrap_count', settings.bootstrapCount, 0);
    if (settings.maxResource !== null) requireInteger('max_resource', settings.maxResource, 1);
    this.#settings = { ...settings };
    this.#label = options.label ?? 'successive halving';
    this.#metric = options.metric ?? null;
  }

  /** The rung whose step is `step` (0 for the first), or null when `step` is not a rung step. */
  rungAt(step: number): number | null {
    const { minResource, reductionFactor, minEarlyStoppingRate, maxResource } = this.#settings;
    if (maxResource !== null && step >= maxResource) return null;
    let rungStep = minResource * reductionFactor ** minEarlyStoppingRate;
    let rung = 0;
    while (rungStep < step) {
      rungStep *= reductionFactor;
      rung++;
    }
    return rungStep === step ? rung : null;
  }

  async decide(ctx: PruneContext): Promise<PruneDecision> {
    const { step, direction } = ctx;
    const rung = this.rungAt(step);
    const value = ctx.curve.get(step);
    if (rung === null || value === undefined) return KEEP;
    const where = `${this.#label}: rung ${rung} (step ${step})`;
    if (Number.isNaN(value)) return { prune: true, reason: `${where}: ${this.#metric ?? 'the value'} is NaN` };

    // Every state counts, as in Optuna: a pruned trial still reached this rung and lost or won there.
    const competing = (await ctx.peersAt(step)).filter((p) => !Number.isNaN(p.value)).map((p) => p.value);
    competing.push(value);
    const n = competing.length;
    // Optuna cannot pause a trial until the rung fills up, so it prunes the first bootstrapCount
    // trials to arrive (`len(competing) <= bootstrap_count`, the trial itself included).
    if (n <= this.#settings.bootstrapCount) {
      return {
        prune: true,
        reason: `${where}: only ${n} trial${n === 1 ? '' : 's'} reached this rung so far; bootstrap_count prunes the first ${this.#settings.bootstrapCount}`,
      };
    }
    // The top ⌊n/η⌋; the first η - 1 arrivals, for which that is 0, are promoted if they are the best so far.
    const top = Math.max(1, Math.floor(n / this.#settings.reductionFactor));
    const maximize = direction === 'maximize';
    competing.sort((a, b) => (maximize ? b - a : a - b));
    const cut = competing[top - 1]!;
    if (maximize ? value >= cut : value <= cut) return KEEP;
    return {
      prune: true,
      reason:
        `${where}: ${this.#metric === null ? '' : `${this.#metric} `}${formatNumber(value)} is not in the top ${top} of ${n} trials` +
        ` (needs ${maximize ? '>=' : '<='} ${formatNumber(cut)})`,
    };
  }
}

/** The checks successive halving and Hyperband share; messages name the space file's settings. */
export function checkRungSettings(minResource: number, reductionFactor: number): void {
  requireInteger('min_resource', minResource, 1);
  requireInteger('reduction_factor', reductionFactor, 2);
}

function requireInteger(setting: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new HpsearchError('E_USAGE', `pruner.${setting} must be an integer >= ${min}, got ${value}`);
  }
}
