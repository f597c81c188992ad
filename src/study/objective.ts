import type { Metrics, Params } from '../space/types.js';

/** What an objective may return: a number, or `{ value, metrics }`. */
export type ObjectiveReturn = number | { value: number; metrics?: Metrics };

/** What an objective gets besides its params. */
export interface TrialContext {
  readonly study: string;
  readonly number: number;
  /** The trial's own seed, derived from the study seed and the trial number. */
  readonly seed: number;
  readonly params: Params;
  /** Streams intermediate metrics (e.g. per epoch); they are stored per step for learning curves and pruning. */
  report(step: number, metrics: Metrics): void;
  /**
   * Whether the trial should stop after its last report: the study's pruner, a divergence rule
   * or early stopping decided so (Optuna's `trial.should_prune()`). When it resolves to true,
   * return (or throw) at once: the trial is stored as pruned or stopped early whatever it
   * returns, and later reports are ignored.
   */
  shouldPrune(): Promise<boolean>;
}

/** An objective: what module objectives export as default, and what `study.optimize` accepts. */
export type Objective = (params: Params, context: TrialContext) => ObjectiveReturn | Promise<ObjectiveReturn>;
