import { HpsearchError } from '../errors.js';

/**
 * Pruner settings as the space file gives them, checked and normalised: the format is the space
 * file's, so it lives here; the pruners themselves (src/pruners/) read it.
 */

/** Checked and normalised pruner settings (the space file's `pruner:`; snake_case there). */
export type PrunerSpec =
  | { type: 'none' }
  | ({ type: 'median' } & PercentileSettings)
  | ({ type: 'percentile'; percentile: number } & PercentileSettings)
  | ({ type: 'successive_halving' } & SuccessiveHalvingSettings)
  | { type: 'hyperband'; minResource: number; reductionFactor: number; maxResource: number };

export interface PercentileSettings {
  /** Steps before which a trial is never pruned (Optuna's n_warmup_steps). Default 0. */
  warmupSteps: number;
  /** Complete trials the study needs before anything is pruned (n_startup_trials). Default 5. */
  startupTrials: number;
  /** Complete trials with a value at the step needed to compare against (n_min_trials). Default 1. */
  minTrials: number;
  /** Decide only every this many steps after the warm-up (interval_steps). Default 1. */
  intervalSteps: number;
}

export interface SuccessiveHalvingSettings {
  /** Steps of the first rung. Default 1. */
  minResource: number;
  /** η: rung k is at minResource · η^(minEarlyStoppingRate + k); 1/η of the trials go on from each. Default 3. */
  reductionFactor: number;
  /** Steps of a full trial; no rung at or past it. null: no limit. Default: the task's epochs. */
  maxResource: number | null;
  /** s in the ASHA paper. Default 0. */
  minEarlyStoppingRate: number;
  /** Trials a rung needs before it promotes anyone. Default 0. */
  bootstrapCount: number;
}

export const PRUNER_TYPES = ['none', 'median', 'percentile', 'successive_halving', 'hyperband'] as const;
export type PrunerType = (typeof PRUNER_TYPES)[number];

/** Short names accepted wherever a pruner type is (CLI `--pruner asha`, the space file). */
export const PRUNER_ALIASES: Readonly<Record<string, PrunerType>> = { asha: 'successive_halving' };

/** Optuna's defaults, the one place they are written down (the space file and the CLI use them). */
export const PERCENTILE_SETTINGS_DEFAULTS: PercentileSettings = { warmupSteps: 0, startupTrials: 5, minTrials: 1, intervalSteps: 1 };
export const PERCENTILE_DEFAULT = 25;
export const SUCCESSIVE_HALVING_DEFAULTS = { minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0, bootstrapCount: 0 } as const;
export const HYPERBAND_DEFAULTS = { minResource: 1, reductionFactor: 3 } as const;

/** The pruner type a name stands for (`asha` → `successive_halving`), or undefined. */
export function resolvePrunerType(name: string): PrunerType | undefined {
  if ((PRUNER_TYPES as readonly string[]).includes(name)) return name as PrunerType;
  // Own keys only: PRUNER_ALIASES["constructor"] is Object's.
  return Object.hasOwn(PRUNER_ALIASES, name) ? PRUNER_ALIASES[name] : undefined;
}

/**
 * A pruner of `type` with default settings. `maxResource` is the steps of a full trial (a task's
 * epochs), null when unknown: hyperband needs it, successive halving then has no last rung.
 */
export function defaultPrunerSpec(type: PrunerType, maxResource: number | null): PrunerSpec {
  switch (type) {
    case 'none':
      return { type };
    case 'median':
      return { type, ...PERCENTILE_SETTINGS_DEFAULTS };
    case 'percentile':
      return { type, percentile: PERCENTILE_DEFAULT, ...PERCENTILE_SETTINGS_DEFAULTS };
    case 'successive_halving':
      return { type, ...SUCCESSIVE_HALVING_DEFAULTS, maxResource };
    case 'hyperband':
      if (maxResource === null) {
        throw new HpsearchError(
          'E_USAGE',
          'the hyperband pruner needs max_resource (the steps a full trial reports); set pruner: { type: hyperband, max_resource: N } in the space file',
        );
      }
      return { type, ...HYPERBAND_DEFAULTS, maxResource };
  }
}
