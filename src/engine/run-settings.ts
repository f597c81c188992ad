import { availableParallelism } from 'node:os';
import { HpsearchError } from '../errors.js';
import type { OptimizeOptions } from '../study/optimize-options.js';
import type { Study } from '../study/study.js';
import type { PackSetting, SaveModels } from '../space/types.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_STALE_AFTER_MS } from './liveness.js';

/** A run's options, checked, with their defaults filled in. */
export interface RunSettings {
  /** Trials the study should hold when the run is done. */
  budget: number;
  /** Workers asked for (an objective kind may allow fewer). */
  workers: number;
  heartbeatMs: number;
  staleAfterMs: number;
  /** Which trained models the run keeps; null: none. */
  saveModels: SaveModels | null;
  /** Trials trained together where the objective packs them (see packingOf). */
  pack: PackSetting;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Checks the options before anything starts: each problem is the user's to fix, with the fix named. */
export function checkRunSettings(study: Study, options: OptimizeOptions): RunSettings {
  const budget = options.trials ?? study.space.search.trials;
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new HpsearchError('E_USAGE', `trials must be a positive integer, got ${budget}`);
  }
  if (budget > study.sampler.capacity) {
    throw new HpsearchError(
      'E_USAGE',
      `the ${study.sampler.name} search of study "${study.name}" has ${study.sampler.capacity} points; ask for at most that many trials`,
    );
  }
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new HpsearchError('E_USAGE', `workers must be a positive integer, got ${workers}`);
  }
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (!(heartbeatMs > 0) || !(staleAfterMs >= 3 * heartbeatMs)) {
    // Shorter, and a live run's trial could be taken for dead between two of its beats.
    throw new HpsearchError(
      'E_USAGE',
      `the stale-after time (${staleAfterMs / 1000} s) must be at least 3 heartbeats (${(3 * heartbeatMs) / 1000} s); raise --stale-after`,
    );
  }
  const saveModels = options.saveModels === undefined ? study.space.saveModels : options.saveModels;
  const top = saveModels?.top;
  if (top !== undefined && top !== 'all' && (!Number.isSafeInteger(top) || top < 1)) {
    throw new HpsearchError('E_USAGE', `saveModels.top must be a positive integer or 'all', got ${String(top)}`);
  }
  const pack = options.pack ?? study.space.pack ?? 'auto';
  if (pack !== 'auto' && pack !== 'off' && (!Number.isSafeInteger(pack) || pack < 1)) {
    throw new HpsearchError('E_USAGE', `pack must be auto, off or a positive integer, got ${String(pack)}`);
  }
  return { budget, workers, heartbeatMs, staleAfterMs, saveModels, pack };
}
