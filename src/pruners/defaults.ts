import { HpsearchError } from '../errors.js';
import type { PercentileSettings, PrunerSpec, PrunerType } from './pruner.js';
import { PRUNER_ALIASES, PRUNER_TYPES } from './pruner.js';

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
