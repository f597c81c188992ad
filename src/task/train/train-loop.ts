/**
 * One trial of a built-in task: build the model, train it epoch by epoch, report each epoch.
 *
 * Per step: one tf.tidy, no reads from the device. Training loss and accuracy are per-example
 * averages over the epoch's batches as they were trained (Keras' numbers: no extra pass over the
 * training set); validation is one batched forward pass (chunked past VALIDATION_CHUNK examples).
 * Both losses include the weight-decay penalty 0.5·λ·Σ‖W‖², as Keras' do. A NaN or infinite
 * loss ends the trial as diverged, checked once per epoch from the summed loss; that epoch is
 * still reported (the main thread records why the trial stopped), its validation metrics NaN
 * when training already diverged.
 *
 * Everything the trial puts on the device is disposed when it ends, however it ends.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { HpsearchError } from '../../errors.js';
import type { EarlyStoppingSpec } from '../../space/stopping-spec.js';
import type { ModelArtifact, ModelInput } from '../../storage/model-artifact.js';
import { EarlyStopping } from '../../stopping/early-stopping.js';
import { layersModelArtifact } from '../export/layers-model.js';
import { disposeState } from '../models/model-state.js';
import type { Tf } from '../tf.js';
import { createModel } from '../models/model.js';
import type { Mlp } from '../models/mlp.js';
import type { EpochMetrics, LoadedDataset, ModelSpec, TrainSpec } from '../types.js';
import { applyMaxNorm, clipGradients } from './clipping.js';
import { chunks, DeviceBatches, epochOrder, planBatches, range, zeroColumns, type Batch } from './data.js';
import { FastMlp, fastPathApplies } from './fast-mlp.js';
import { correctCount, crossEntropySum, squaredNorm } from './loss.js';
import { createOptimizer, type Optimizer } from './optimizers.js';
import { AutodiffRunner, type Runner, type TrainedWeights } from './runner.js';
import { learningRateAt } from './schedules.js';

export type TrainOutcome =
  /** `model`: with `saveModel`. */
  | { status: 'complete'; last: EpochMetrics; epochs: number; model?: ModelArtifact }
  /** onEpoch said stop after `epoch`; `model` when saveModel's early stopping is what stopped it. */
  | { status: 'stopped'; last: EpochMetrics; epoch: number; model?: ModelArtifact }
  | { status: 'diverged'; epoch: number; reason: string };

export interface TrainOptions {
  /** The trial seed: weights, batches, batch order and dropout masks all derive from it. */
  seed: number;
  /**
   * Called after each epoch, epoch counting from 1; training stops when it returns (or resolves
   * to) true. An exception ends training (and is rethrown).
   */
  onEpoch: (epoch: number, metrics: EpochMetrics) => boolean | void | Promise<boolean | void>;
  /** Export the trained model (a TF.js Layers model) when training completes or stops early. */
  saveModel?: SaveModel;
}

export interface SaveModel {
  input: ModelInput;
  /**
   * The study's early stopping, which decides on the main thread; here the same rule tells a
   * stop that is early stopping (whose trial completes: export) from a pruned one (no export),
   * and, with restoreBest, which step's weights are the trial's.
   */
  earlyStopping: EarlyStoppingSpec | null;
  /** The study metric: restore_best takes the best step's value of it, when finite (trial-monitor.ts), and so its weights. */
  metric: string;
}

/** Validation examples per forward pass: the cnn's activations are ~100× an MLP's per example. */
export const VALIDATION_CHUNK = { mlp: 4096, cnn: 256 } as const;

/** Sums of per-step scalars, kept until the epoch's single read. */
class Totals {
  private parts: Tensor[][] = [];

  constructor(private readonly tf: Tf) {}

  /** values[i] is added to sum i. */
  add(...values: Tensor[]): void {
    values.forEach((v, i) => (this.parts[i] ??= []).push(this.tf.keep(v)));
  }

  /** The sums; clears them. */
  async drain(): Promise<number[]> {
    const tf = this.tf;
    const sums = this.parts.map((list) => tf.tidy(() => tf.addN(list.map((t) => tf.cast(t, 'float32')))));
    try {
      return await Promise.all(sums.map(async (s) => (await s.data())[0]!));
    } finally {
      sums.forEach((s) => s.dispose());
      this.dispose();
    }
  }

  dispose(): void {
    this.parts.forEach((list) => list.forEach((t) => t.dispose()));
    this.parts = [];
  }
}

/** Throws E_USAGE when `spec` cannot be trained on `data` (pack-loop.ts checks each member alike). */
export function checkTrainable(spec: { model: ModelSpec; train: TrainSpec }, data: LoadedDataset): void {
  const problems: string[] = [];
  const { epochs, batchSize } = spec.train;
  if (!Number.isSafeInteger(epochs) || epochs < 1) problems.push(`epochs must be a positive integer, got ${epochs}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) problems.push(`batch_size must be a positive integer, got ${batchSize}`);
  if (data.train.count < 1) problems.push('the training set is empty');
  if (data.validation.count < 1) problems.push('the validation set is empty');
  for (const [name, set] of [['training', data.train], ['validation', data.validation]] as const) {
    if (set.x.length !== set.count * data.features || set.y.length !== set.count) {
      problems.push(`the ${name} arrays do not hold ${set.count} examples of ${data.features} features`);
    }
  }
  if (problems.length > 0) throw new HpsearchError('E_USAGE', `cannot train: ${problems.join('; ')}`);
}

export async function trainModel(
  tf: Tf,
  spec: { model: ModelSpec; train: TrainSpec },
  data: LoadedDataset,
  options: TrainOptions,
): Promise<TrainOutcome> {
  checkTrainable(spec, data);
  const { train } = spec;
  const { seed } = options;
  const lambda = train.weightDecay;
  const owned: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(resource: T): T => (owned.push(resource), resource);
  try {
    const model = own(createModel(tf, spec.model, data, seed));
    const runner: Runner = own(
      fastPathApplies(spec.model)
        ? new FastMlp(tf, model as Mlp, zeroColumns(data), { decay: lambda > 0, maxNorm: train.maxNorm !== null })
        : new AutodiffRunner(tf, model),
    );
    const optimizer = own(createOptimizer(tf, train));
    const { features } = runner;
    const plan = planBatches(data.train.count, train.batchSize, seed);
    const batches = own(new DeviceBatches(tf, data.train, data.features, data.classes, plan, { ...runner.layouts.train, features }));
    const pieces = chunks(range(data.validation.count), VALIDATION_CHUNK[spec.model.type]);
    const validation = own(new DeviceBatches(tf, data.validation, data.features, data.classes, pieces, { ...runner.layouts.evaluate, features }));
    const weightSet = new Set(runner.weights);
    const totals = own(new Totals(tf));
    const keeper = options.saveModel === undefined ? null : own(new ModelKeeper(tf, runner, options.saveModel));
    let last: EpochMetrics | undefined;

    for (let epoch = 1; epoch <= train.epochs; epoch++) {
      const learningRate = learningRateAt(train, epoch - 1);
      optimizer.setLearningRate(learningRate);
      const scale = optimizer.takesScaledGradients ? learningRate : 1;
      for (const b of epochOrder(batches.count, seed, epoch)) {
        tf.tidy(() => trainStep(tf, runner, batches.get(b), { optimizer, train, scale, weightSet, totals }));
      }
      const [trainLoss, trainCorrect, trainSquares = 0] = (await totals.drain()) as [number, number, number?];
      const train_loss = (trainLoss + 0.5 * lambda * trainSquares) / data.train.count;
      const train_accuracy = trainCorrect / data.train.count;
      if (!Number.isFinite(train_loss)) {
        await options.onEpoch(epoch, { train_loss, train_accuracy, val_loss: Number.NaN, val_accuracy: Number.NaN, learning_rate: learningRate });
        return diverged(epoch, 'training', train_loss);
      }

      for (let c = 0; c < validation.count; c++) {
        tf.tidy(() => {
          const chunk = validation.get(c);
          const logits = runner.logits(chunk);
          const squares = lambda > 0 && c === 0 ? [tf.mul(squaredNorm(tf, runner.weights), data.validation.count)] : [];
          totals.add(crossEntropySum(tf, logits, chunk.oneHot), correctCount(tf, logits, chunk.labels), ...squares);
        });
      }
      const [valLoss, valCorrect, valSquares = 0] = (await totals.drain()) as [number, number, number?];
      const val_loss = (valLoss + 0.5 * lambda * valSquares) / data.validation.count;
      last = { train_loss, train_accuracy, val_loss, val_accuracy: valCorrect / data.validation.count, learning_rate: learningRate };
      keeper?.observe(epoch, last);
      const stop = await options.onEpoch(epoch, last);
      if (!Number.isFinite(val_loss)) return diverged(epoch, 'validation', val_loss);
      if (stop === true) {
        // A pruned trial's model would be thrown away: only early stopping's stop exports.
        const model = keeper?.stoppedEarly === true ? await keeper.export(spec.model, data, epoch) : undefined;
        return { status: 'stopped', last, epoch, model };
      }
    }
    return { status: 'complete', last: last!, epochs: train.epochs, model: await keeper?.export(spec.model, data, train.epochs) };
  } finally {
    for (const resource of owned.reverse()) resource.dispose();
  }
}

/**
 * What saveModel needs along the way: the early-stopping rule, fed the epochs as the main thread
 * is, and with restore_best a snapshot of the weights at each new best step (cheap: no copy is
 * made until the export, see Runner.snapshot). A pack's member (pack-loop.ts) has one too, over
 * its own slice of the pack's weights.
 */
export class ModelKeeper {
  private readonly rule: EarlyStopping | null;
  private best: { step: number; weights: TrainedWeights } | null = null;
  /** Whether the rule said stop at the last epoch observed. */
  stoppedEarly = false;

  constructor(
    private readonly tf: Tf,
    private readonly runner: Pick<Runner, 'snapshot'>,
    private readonly save: SaveModel,
  ) {
    this.rule = save.earlyStopping === null ? null : new EarlyStopping(save.earlyStopping);
  }

  observe(epoch: number, metrics: EpochMetrics): void {
    if (this.rule === null) return;
    this.stoppedEarly = this.rule.observe(epoch, metrics) !== null;
    if (this.save.earlyStopping?.restoreBest !== true || this.rule.bestStep !== epoch) return;
    this.dispose();
    // As trial-monitor.ts restores: the best step's value of the study metric when it is finite,
    // else the last step's; so the last step's weights.
    if (Number.isFinite(metrics[this.save.metric])) this.best = { step: epoch, weights: this.runner.snapshot() };
  }

  /** The model as the trial's value describes it: the best step's with restore_best, else the last (`epoch`'s). */
  async export(spec: ModelSpec, data: LoadedDataset, epoch: number): Promise<ModelArtifact> {
    const best = this.best;
    const weights = best?.weights ?? this.runner.snapshot();
    const state = weights.toState();
    try {
      return await layersModelArtifact(this.tf, spec, data, state, { input: this.save.input, step: best?.step ?? epoch });
    } finally {
      disposeState(state);
      if (best === null) weights.dispose();
    }
  }

  dispose(): void {
    this.best?.weights.dispose();
    this.best = null;
  }
}

interface StepContext {
  optimizer: Optimizer;
  train: TrainSpec;
  /** What the gradients come multiplied by: the learning rate when the optimizer takes scaled gradients, else 1. */
  scale: number;
  weightSet: ReadonlySet<Variable>;
  totals: Totals;
}

/** One optimisation step; call inside tf.tidy. */
function trainStep(tf: Tf, runner: Runner, batch: Batch, { optimizer, train, scale, weightSet, totals }: StepContext): void {
  const lambda = train.weightDecay;
  const { grads, lossSum, correct } = runner.step(batch, scale);
  // Σ‖W‖² per example of the batch; the 0.5·λ is applied in JavaScript when the epoch is read.
  totals.add(lossSum, correct, ...(lambda > 0 ? [tf.mul(squaredNorm(tf, runner.weights), batch.size)] : []));
  const decay = lambda > 0 ? { rate: lambda * scale, weights: weightSet } : undefined;
  if (train.clipValue === null && train.clipNorm === null) {
    optimizer.apply(runner.params, grads, decay);
  } else {
    // Weight decay is the gradient of the penalty, part of the loss: it is clipped with the rest.
    const full = grads.map((g, i) => {
      const v = runner.params[i]!;
      const d = decay !== undefined && weightSet.has(v) ? tf.mul(v, decay.rate) : null;
      return g === null ? (d ?? tf.zerosLike(v)) : d === null ? g : tf.add(g, d);
    });
    optimizer.apply(runner.params, clipGradients(tf, full, train, scale));
  }
  if (train.maxNorm !== null) applyMaxNorm(tf, runner.normGroups, train.maxNorm);
}

export function diverged(epoch: number, which: 'training' | 'validation', loss: number): TrainOutcome {
  return { status: 'diverged', epoch, reason: `${which} loss became ${Number.isNaN(loss) ? 'NaN' : 'infinite'} in epoch ${epoch}` };
}
