import type { SuggestNumberOptions } from '../space/asked-spec.js';
import type { Metrics, Params, ParamValue } from '../space/types.js';

export type { SuggestNumberOptions } from '../space/asked-spec.js';

/** What an objective may return: a number, or `{ value, metrics }`. */
export type ObjectiveReturn = number | { value: number; metrics?: Metrics };

/**
 * What an objective gets besides its params.
 *
 * Define-by-run: instead of (or besides) declaring params in the space file, the objective may ask
 * for them while it runs, as Optuna's `trial.suggest_*`; what it asks may depend on what it got:
 *
 * ```js
 * export default async function objective(params, ctx) {
 *   const optimizer = await ctx.suggestCategorical('optimizer', ['sgd', 'momentum', 'adam']);
 *   const lr = await ctx.suggestFloat('lr', 1e-5, 1e-1, { log: true });
 *   const momentum = optimizer === 'momentum' ? await ctx.suggestFloat('momentum', 0.5, 0.99) : undefined;
 *   const layers = await ctx.suggestInt('layers', 1, 4);
 *   return train({ optimizer, lr, momentum, layers });
 * }
 * ```
 *
 * - Each value comes from the study's sampler on the main thread (random, narrowing and TPE; grid
 *   search enumerates a declared space only, and rejects a param the space does not declare), as
 *   the space file's params do: random search gives an asked param exactly the value the same
 *   declaration in the file would have drawn for the trial.
 * - The params asked are stored with the trial, like those the file declares (leaderboards,
 *   reports and later samplers see them); one the trial never asks for is absent from it.
 * - Asking for a name again returns the value it got; asking with another distribution rejects.
 * - A param the space file declares may be asked for too, with its declared distribution: its
 *   value is the one drawn for the trial (a fixed param's value, when it lies in the range asked).
 *   One that is inactive in the trial (its `when:` does not hold) rejects.
 * - A wrong argument rejects at once with a TypeError naming it. A rejection the objective does
 *   not catch fails the trial with its message.
 */
export interface TrialContext {
  readonly study: string;
  readonly number: number;
  /** The trial's own seed, derived from the study seed and the trial number. */
  readonly seed: number;
  /** The trial's params: those the space file gave it, and those asked for so far (see the suggest methods). */
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
  /**
   * A float in [low, high] (both finite, low <= high; low = high is that value): uniform, or
   * log-uniform with `{ log: true }` (low > 0), or on the lattice low + k·step with `{ step }`
   * (not with log).
   */
  suggestFloat(name: string, low: number, high: number, options?: SuggestNumberOptions): Promise<number>;
  /** An integer in [low, high] (both integers, low <= high), each equally likely; log-uniform with `{ log: true }`, every `step`-th with `{ step }`. */
  suggestInt(name: string, low: number, high: number, options?: SuggestNumberOptions): Promise<number>;
  /** One of `choices`: a non-empty list of distinct numbers, strings, booleans or null. */
  suggestCategorical<const T extends ParamValue>(name: string, choices: readonly T[]): Promise<T>;
  /**
   * Keeps `model` (a `tf.LayersModel`) as the trial's trained model, as it is now (its weights at
   * the last reported step): the study stores it if the trial completes among the best
   * `--save-models N`, for `hpsearch export`. Call it again to replace it (the last call wins).
   * Does nothing when the run keeps no models. Rejects with a TypeError for anything but a
   * Layers model.
   */
  saveModel(model: unknown): Promise<void>;
}

/** An objective: what module objectives export as default, and what `study.optimize` accepts. */
export type Objective = (params: Params, context: TrialContext) => ObjectiveReturn | Promise<ObjectiveReturn>;
