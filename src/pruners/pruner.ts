import type { Direction } from '../space/types.js';
import type { TrialState } from '../trial-state.js';

/**
 * Study-level pruners: after each step a running trial reports, the main thread asks the
 * study's pruner whether the trial should stop, from the curves stored so far (Optuna's
 * `BasePruner.prune(study, trial)`). Pruners are pure: everything they need comes in the
 * context, so their decisions can be tested on hand-made curves.
 */

/** Another trial's value of the study's metric at one step. NaN means the metric was NaN there. */
export interface PeerValue {
  number: number;
  state: TrialState;
  value: number;
}

export interface PruneContext {
  /** The study's name (Hyperband assigns trials to brackets by a hash of it and the trial number). */
  readonly study: string;
  readonly direction: Direction;
  /** The trial being decided. */
  readonly trial: number;
  /** The step it just reported. */
  readonly step: number;
  /** Its values of the study's metric so far, by step, `step` included (NaN allowed). */
  readonly curve: ReadonlyMap<number, number>;
  /** The other trials' values of the study's metric at `step` (any state; this trial excluded), from storage. */
  peersAt(step: number): Promise<readonly PeerValue[]>;
}

export type PruneDecision = { prune: false } | { prune: true; reason: string };

export interface Pruner {
  /** The spec's type, e.g. `median`. */
  readonly name: string;
  decide(context: PruneContext): Promise<PruneDecision>;
}

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
