// tfjs-layers alone registers no backend (that is @tensorflow/tfjs's and the backend packages'
// doing): importing it here leaves the objective's choice of backend alone.
import { Callback } from '@tensorflow/tfjs-layers';
import type { TrialContext } from '../study/objective.js';

/** What `pruningCallback` takes besides the trial's context. */
export interface PruningCallbackOptions {
  /**
   * The epoch-log key whose value the study judges, as TF.js names it: `loss`, `acc`, `val_loss`,
   * `val_acc`, or `val_` + any metric compiled. An epoch whose logs lack it fails the trial, with
   * the keys it has: a pruner that never sees its metric would silently prune nothing.
   */
  monitor: string;
  /**
   * The study's `objective.metric`, when it is not the log key itself: the monitored value is
   * reported under this name too, which is the name the pruner, divergence rules and early
   * stopping read. Defaults to `monitor` (then name the study's metric after the log key).
   */
  metric?: string;
}

/** A log value: a number, or (TF.js hands a BaseCallback its logs unresolved) a scalar tensor. */
type LogValue = number | { data(): Promise<ArrayLike<number>> };

/**
 * The callback `pruningCallback` returns: a `tf.Callback` (so TF.js sets its `model`, which a
 * plain `{ onEpochEnd }` object never sees, and so it mixes with `tf.callbacks.earlyStopping` in
 * either order), for `model.fit` and `model.fitDataset` alike.
 */
export class PruningCallback extends Callback {
  readonly #ctx: TrialContext;
  readonly #monitor: string;
  readonly #metric: string;
  #stopped = false;
  #lastStep = 0;

  constructor(ctx: TrialContext, options: PruningCallbackOptions) {
    super();
    this.#ctx = ctx;
    this.#monitor = requireName(options?.monitor, 'options.monitor');
    this.#metric = options.metric === undefined ? this.#monitor : requireName(options.metric, 'options.metric');
  }

  /** Whether it stopped the training (pruned, stopped early or diverged): what the objective returns is then not what is stored. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The last epoch it reported, as a step (epoch + 1); 0 before the first. */
  get lastStep(): number {
    return this.#lastStep;
  }

  override async onEpochEnd(epoch: number, logs?: Record<string, LogValue>): Promise<void> {
    // TF.js wraps what is not a BaseCallback of its own copy of tfjs-layers in a CustomCallback,
    // which calls this method with itself as `this`: it has no model to stop, and none of our state.
    if (!(this instanceof PruningCallback)) {
      throw new Error(
        'pruningCallback: TF.js did not take it for a callback of its own: the objective\'s @tensorflow/tfjs uses another copy of ' +
          '@tensorflow/tfjs-layers than hpsearch (see `npm ls @tensorflow/tfjs-layers`); install one version of both',
      );
    }
    if (this.#stopped) return;
    const metrics = await readLogs(logs ?? {});
    const value = metrics[this.#monitor];
    if (value === undefined) {
      const keys = Object.keys(metrics);
      throw new Error(
        `pruningCallback: the epoch logs have no "${this.#monitor}" (options.monitor); they have ${keys.length > 0 ? keys.join(', ') : 'nothing'}. ` +
          'A val_ key needs validationData (or validationSplit with fit); a metric needs compile({ metrics })',
      );
    }
    if (this.#metric !== this.#monitor) defineMetric(metrics, this.#metric, value);
    this.#lastStep = epoch + 1;
    this.#ctx.report(this.#lastStep, metrics);
    if (!(await this.#ctx.shouldPrune())) return;
    this.#stopped = true;
    this.model.stopTraining = true;
  }
}

/**
 * Reports every epoch's logs as step epoch + 1 through `ctx.report`, asks `ctx.shouldPrune()`, and
 * sets `model.stopTraining = true` when the trial is pruned, stopped early or diverged; the trial
 * is then stored as such, with the curve reported, even though `fit` returns normally.
 *
 * ```js
 * import { pruningCallback } from 'hpsearch/tfjs';
 * await model.fit(xs, ys, { epochs: 20, validationSplit: 0.2, callbacks: [pruningCallback(ctx, { monitor: 'val_acc' })] });
 * ```
 */
export function pruningCallback(ctx: TrialContext, options: PruningCallbackOptions): PruningCallback {
  return new PruningCallback(ctx, options);
}

function requireName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`pruningCallback: ${what} must be a non-empty string (an epoch-log key such as val_loss)`);
  return name;
}

async function readLogs(logs: Record<string, LogValue>): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(logs)) {
    defineMetric(metrics, key, typeof value === 'number' ? value : Number((await value.data())[0]));
  }
  return metrics;
}

/** defineProperty, not `=`: a key named __proto__ must stay a metric. */
function defineMetric(metrics: Record<string, number>, name: string, value: number): void {
  Object.defineProperty(metrics, name, { value, enumerable: true, writable: true, configurable: true });
}
