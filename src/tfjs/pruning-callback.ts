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

/** The one thing the callback does to the model TF.js trains: stop it. */
interface StoppableModel {
  stopTraining: boolean;
}

/** A log value: a number, or (when TF.js calls a BaseCallback directly) a scalar tensor not yet read. */
type LogValue = number | { data(): Promise<ArrayLike<number>> };

/**
 * A TF.js callback (`model.fit` / `model.fitDataset`) that puts a trial's training under the study:
 * it shows the study how the trial is doing after every epoch, and stops the training when the
 * study says so. What TF.js calls are the hooks of its `CustomCallbackArgs` and `BaseCallback`.
 */
export interface PruningCallback {
  /** Whether it stopped the training (pruned, stopped early or diverged): what `fit` returned is then not what is stored. */
  readonly stopped: boolean;
  /** The last epoch it reported, as a step (epoch + 1); 0 before the first. */
  readonly lastStep: number;
  /** Set by TF.js when the callback is called as a BaseCallback (mixed with `tf.callbacks.*` after one of them). */
  model: StoppableModel | null;
  validationData: null;
  setModel(model: StoppableModel): void;
  setParams(params: unknown): void;
  onTrainBegin(logs?: unknown): Promise<void>;
  onTrainEnd(logs?: unknown): Promise<void>;
  onEpochBegin(epoch: number, logs?: unknown): Promise<void>;
  onEpochEnd(epoch: number, logs?: Record<string, LogValue>): Promise<void>;
  onBatchBegin(batch: number, logs?: unknown): Promise<void>;
  onBatchEnd(batch: number, logs?: unknown): Promise<void>;
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
 *
 * It is a plain object, not a `tf.CustomCallback`, so that this module imports no TF.js (and so no
 * backend, and no second copy of tfjs-layers beside the user's). TF.js wraps a plain object in a
 * CustomCallback, which calls its hooks as its own methods: `this` is then the CustomCallback,
 * whose `model` TF.js sets. Mixed after a `tf.callbacks.*` instance, TF.js calls it directly as a
 * BaseCallback (setModel, then the hooks): `this.model` is again the model. Both ways, the hooks
 * must be `function`s, not arrows, and read the model from `this`.
 */
export function pruningCallback(ctx: TrialContext, options: PruningCallbackOptions): PruningCallback {
  const monitor = requireName(options?.monitor, 'options.monitor');
  const metric = options.metric === undefined ? monitor : requireName(options.metric, 'options.metric');
  let stopped = false;
  let lastStep = 0;
  const callback: PruningCallback = {
    get stopped() {
      return stopped;
    },
    get lastStep() {
      return lastStep;
    },
    model: null,
    validationData: null,
    setModel(model) {
      this.model = model;
    },
    setParams() {},
    async onTrainBegin() {},
    async onTrainEnd() {},
    async onEpochBegin() {},
    async onBatchBegin() {},
    async onBatchEnd() {},
    async onEpochEnd(this: { model?: StoppableModel | null }, epoch, logs) {
      if (stopped) return;
      const metrics = await readLogs(logs ?? {});
      const value = metrics[monitor];
      if (value === undefined) {
        const keys = Object.keys(metrics);
        throw new Error(
          `pruningCallback: the epoch logs have no "${monitor}" (options.monitor); they have ${keys.length > 0 ? keys.join(', ') : 'nothing'}. ` +
            'A val_ key needs validationData (or validationSplit with fit); a metric needs compile({ metrics })',
        );
      }
      if (metric !== monitor) defineMetric(metrics, metric, value);
      lastStep = epoch + 1;
      ctx.report(lastStep, metrics);
      if (!(await ctx.shouldPrune())) return;
      stopped = true;
      const model = this.model;
      if (!model) throw new Error('pruningCallback: TF.js gave the callback no model to stop; pass it in model.fit or model.fitDataset callbacks');
      model.stopTraining = true;
    },
  };
  return callback;
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
