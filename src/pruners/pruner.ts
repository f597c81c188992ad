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
