/**
 * Packed trials (issue 18): K trials whose models share a shape trained as one batched
 * computation (pack/packed-mlp.ts), each member exactly as trainModel (train-loop.ts) would
 * train it alone: its own initial weights, batches, epoch order, dropout masks, optimizer
 * hyperparameters, weight decay, schedule, clipping (its own global norm), max-norm and batch
 * norm; the same metrics, divergence and stopping rules, and the same exported model.
 *
 * Per step: one tf.tidy, no reads. Per epoch: one read of the training sums and one of the
 * validation sums, every member's [K] vector at once. Members answer onEpoch together; a member
 * that ends (stopped, diverged) leaves the pack at that epoch boundary: every weight and slot is
 * gathered down to the members left (PackedMlp.keepRows, PackOptimizer.keepRows). Slicing, not
 * masking: measured on tensorflow with best-5 members, keepRows costs 11 ms once at K = 16 (28 ms
 * at K = 64) against ~40 ms for every step at K = 16; a pack of 16 whose half stops after epoch 1
 * took 1.0-1.2 s for 10 epochs sliced, 1.6-2.1 s with all 16 kept computing (masking's cost).
 *
 * Isolation: no op sums, maxes or means across the member axis, so a member's NaN or ∞ stays in
 * its own slice and its own metrics; it leaves at the end of that epoch.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { HpsearchError } from '../../errors.js';
import type { Tf } from '../tf.js';
import { createModel } from '../models/model.js';
import type { Mlp } from '../models/mlp.js';
import type { MaskSource } from '../models/dropout.js';
import type { EpochMetrics, LoadedDataset, MlpSpec, ModelSpec, TrainSpec } from '../types.js';
import { epochOrder, planBatches, zeroColumns } from './data.js';
import { PackData, type MemberBatch } from './pack/pack-data.js';
import { memberColumn, PackOptimizer, type PackDecay } from './pack/pack-optimizer.js';
import { PackedMlp } from './pack/packed-mlp.js';
import { packShape } from './pack-key.js';
import { learningRateAt } from './schedules.js';
import { checkTrainable, diverged, ModelKeeper, type SaveModel, type TrainOutcome } from './train-loop.js';

export interface PackMember {
  spec: { model: ModelSpec; train: TrainSpec };
  /** The trial seed, as TrainOptions.seed. */
  seed: number;
  saveModel?: SaveModel;
}

/** Per-member [K] float32 sums kept until the epoch's single read. */
class PackTotals {
  private parts: Tensor[][] = [];

  constructor(private readonly tf: Tf) {}

  add(...values: Tensor[]): void {
    values.forEach((v, i) => (this.parts[i] ??= []).push(this.tf.keep(v)));
  }

  /** sums[i][row]; clears them. */
  async drain(): Promise<number[][]> {
    const tf = this.tf;
    const count = this.parts.length;
    const stacked = tf.tidy(() => tf.stack(this.parts.map((list) => tf.addN(list))));
    try {
      const values = await stacked.data();
      const k = stacked.shape[1]!;
      return Array.from({ length: count }, (_, i) => Array.from(values.subarray(i * k, (i + 1) * k)));
    } finally {
      stacked.dispose();
      this.dispose();
    }
  }

  dispose(): void {
    this.parts.forEach((list) => list.forEach((t) => t.dispose()));
    this.parts = [];
  }
}

function checkPack(members: readonly PackMember[], data: LoadedDataset): void {
  members.forEach((m) => checkTrainable(m.spec, data));
  const shapes = members.map((m) => packShape(m.spec));
  if (shapes[0] === null) throw new HpsearchError('E_USAGE', `cannot pack ${members[0]!.spec.model.type} models: only mlp trials pack`);
  const key = JSON.stringify(shapes[0]);
  const other = shapes.findIndex((s) => JSON.stringify(s) !== key);
  if (other >= 0) throw new HpsearchError('E_USAGE', `member ${other} cannot share a pack with member 0: ${JSON.stringify(shapes[other])} vs ${key}`);
}

/** What one member brings to every step. */
interface MemberState {
  train: TrainSpec;
  seed: number;
  plan: Int32Array[];
  dropout: number;
  masks: MaskSource;
  keeper: ModelKeeper | null;
}

/**
 * Trains the members as one pack; outcomes aligned with `members`. onEpoch(member, epoch,
 * metrics) is called for each member still training after each epoch (all of them, then their
 * answers are awaited together); true stops that member.
 */
export async function trainPack(
  tf: Tf,
  members: PackMember[],
  data: LoadedDataset,
  onEpoch: (member: number, epoch: number, metrics: EpochMetrics) => boolean | void | Promise<boolean | void>,
): Promise<TrainOutcome[]> {
  if (members.length === 0) return [];
  checkPack(members, data);
  const spec = members[0]!.spec.model as MlpSpec;
  const { epochs, batchSize } = members[0]!.spec.train;
  const outcomes: (TrainOutcome | undefined)[] = members.map(() => undefined);
  const owned: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(resource: T): T => (owned.push(resource), resource);
  try {
    const states: MemberState[] = [];
    // As FastMlp: the features that are zero in every example are left out of the matMuls (with
    // batch norm too); their weights move only by decay and max-norm.
    const columns = zeroColumns(data);
    const keepZero = members.some((m) => m.spec.train.weightDecay > 0) || members[0]!.spec.train.maxNorm !== null;
    // Each member's model as trainModel builds it, stacked; the models go, their mask sources stay.
    const models: Mlp[] = [];
    let stacked: PackedMlp;
    try {
      for (const m of members) models.push(createModel(tf, m.spec.model, data, m.seed) as Mlp);
      stacked = own(PackedMlp.stack(tf, spec, models, columns, keepZero));
    } finally {
      models.forEach((m) => m.dispose());
    }
    const pack = stacked;
    /** Pack row → member index. */
    let rows = members.map((_, k) => k);
    members.forEach((m, k) => {
      const keeper = m.saveModel === undefined ? null : own(new ModelKeeper(tf, { snapshot: () => pack.snapshot(rows.indexOf(k)) }, m.saveModel));
      states.push({
        train: m.spec.train,
        seed: m.seed,
        plan: planBatches(data.train.count, batchSize, m.seed),
        dropout: (m.spec.model as MlpSpec).dropout,
        masks: models[k]!.masks,
        keeper,
      });
    });
    const optimizer = own(new PackOptimizer(tf, members.map((m) => m.spec.train)));
    const packData = own(new PackData(tf, data, spec.hidden, members.length, columns?.active ?? null));
    const totals = own(new PackTotals(tf));
    const weightPositions = new Set(pack.params.flatMap((p, i) => (pack.kernels.includes(p) ? [i] : [])));
    const steps = states[0]!.plan.length;
    const last: (EpochMetrics | undefined)[] = members.map(() => undefined);

    for (let epoch = 1; epoch <= epochs && rows.length > 0; epoch++) {
      const active = rows.map((k) => states[k]!);
      const lrs = active.map((s) => learningRateAt(s.train, epoch - 1));
      optimizer.setLearningRates(lrs);
      const scales = optimizer.takesScaledGradients ? lrs : lrs.map(() => 1);
      const lambdas = active.map((s) => s.train.weightDecay);
      const anyDecay = lambdas.some((l) => l > 0);
      const orders = active.map((s) => epochOrder(s.plan.length, s.seed, epoch));
      const epochTensors = makeEpochTensors(tf, active, scales, anyDecay ? weightPositions : null);
      try {
        for (let step = 0; step < steps; step++) {
          const parts: MemberBatch[] = active.map((s, r) => ({ indices: s.plan[orders[r]![step]!]!, scale: scales[r]!, dropout: s.dropout, masks: s.masks }));
          tf.tidy(() => trainStep(tf, pack, optimizer, packData, parts, totals, epochTensors, anyDecay));
        }
      } finally {
        const { decay, clipValue, clipNorm, maxNorm } = epochTensors;
        [decay?.rate, decay?.keep, clipValue, clipNorm, maxNorm].forEach((t) => t?.dispose());
      }
      const trained = (await totals.drain()) as EpochSums;
      validate(tf, pack, packData, totals, anyDecay ? data.validation.count : null);
      const validated = (await totals.drain()) as EpochSums;

      const answers = await Promise.all(
        rows.map(async (k, r) => {
          const metrics = epochMetrics(r, lambdas[r]!, lrs[r]!, trained, validated, data);
          if (!Number.isFinite(metrics.train_loss)) {
            await onEpoch(k, epoch, metrics);
            return diverged(epoch, 'training', metrics.train_loss);
          }
          last[k] = metrics;
          const keeper = states[k]!.keeper;
          keeper?.observe(epoch, metrics);
          const stop = await onEpoch(k, epoch, metrics);
          if (!Number.isFinite(metrics.val_loss)) return diverged(epoch, 'validation', metrics.val_loss);
          if (stop === true) {
            // A pruned trial's model would be thrown away: only early stopping's stop exports.
            const model = keeper?.stoppedEarly === true ? await keeper.export(members[k]!.spec.model, data, epoch) : undefined;
            return { status: 'stopped', last: metrics, epoch, model } satisfies TrainOutcome;
          }
          return undefined;
        }),
      );
      const staying: number[] = [];
      answers.forEach((outcome, r) => {
        if (outcome === undefined) staying.push(r);
        else outcomes[rows[r]!] = outcome;
      });
      if (staying.length < rows.length) {
        if (staying.length > 0) {
          const kept = tf.tensor1d(staying, 'int32');
          try {
            pack.keepRows(kept);
            optimizer.keepRows(staying, kept);
          } finally {
            kept.dispose();
          }
        }
        rows = staying.map((r) => rows[r]!);
      }
    }
    for (const k of rows) {
      const model = await states[k]!.keeper?.export(members[k]!.spec.model, data, epochs);
      outcomes[k] = { status: 'complete', last: last[k]!, epochs, model };
    }
    return outcomes as TrainOutcome[];
  } finally {
    for (const resource of owned.reverse()) resource.dispose();
  }
}

/** An epoch's sums per member: loss, correct, and Σ‖W‖² times examples when some member decays. */
type EpochSums = [number[], number[], number[]?];

/**
 * Pack row `r`'s metrics as trainModel computes them: per-example averages, with the penalty
 * 0.5·λ·Σ‖W‖²; NaN validation metrics when training diverged.
 */
function epochMetrics(r: number, lambda: number, learning_rate: number, trained: EpochSums, validated: EpochSums, data: LoadedDataset): EpochMetrics {
  const penalty = (squares: number[] | undefined) => (lambda > 0 ? 0.5 * lambda * squares![r]! : 0);
  const train_loss = (trained[0][r]! + penalty(trained[2])) / data.train.count;
  const train_accuracy = trained[1][r]! / data.train.count;
  if (!Number.isFinite(train_loss)) return { train_loss, train_accuracy, val_loss: Number.NaN, val_accuracy: Number.NaN, learning_rate };
  const val_loss = (validated[0][r]! + penalty(validated[2])) / data.validation.count;
  return { train_loss, train_accuracy, val_loss, val_accuracy: validated[1][r]! / data.validation.count, learning_rate };
}

/** Adds each member's validation loss and correct count (and Σ‖W‖² times `squaresTimes`, unless null) to `totals`. */
function validate(tf: Tf, pack: PackedMlp, packData: PackData, totals: PackTotals, squaresTimes: number | null): void {
  packData.validation.forEach((chunk, c) => {
    tf.tidy(() => {
      const logits = pack.logits(chunk.x);
      const loss = tf.neg(tf.sum(tf.mul(chunk.oneHot, tf.logSoftmax(logits)), [1, 2]));
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 2), chunk.labels), 'float32'), 1);
      const squares = squaresTimes !== null && c === 0 ? [tf.mul(squaredNorms(tf, pack), squaresTimes)] : [];
      totals.add(loss, correct, ...squares);
    });
  });
}

/** [K]: Σ‖W‖² of each member's weight matrices. */
function squaredNorms(tf: Tf, pack: PackedMlp): Tensor {
  return tf.addN(pack.kernels.map((w) => tf.sum(tf.square(w), [1, 2])));
}

/** The epoch's per-member columns (thresholds scale with the epoch's learning rates); the caller disposes them. */
function makeEpochTensors(tf: Tf, active: readonly MemberState[], scales: readonly number[], weights: ReadonlySet<number> | null): EpochTensors {
  const train = active[0]!.train;
  const column = (f: (t: TrainSpec, r: number) => number) => memberColumn(tf, active.map((s, r) => f(s.train, r)));
  const rate = weights === null ? null : column((t, r) => t.weightDecay * scales[r]!);
  return {
    decay: rate === null ? null : { rate, keep: tf.tidy(() => tf.sub(1, rate)), weights: weights! },
    clipValue: train.clipValue === null ? null : column((t, r) => t.clipValue! * scales[r]!),
    clipNorm: train.clipNorm === null ? null : tf.tensor1d(active.map((s, r) => s.train.clipNorm! * scales[r]!)),
    maxNorm: train.maxNorm === null ? null : column((t) => t.maxNorm!),
  };
}

interface EpochTensors {
  decay: PackDecay | null;
  /** [K, 1, 1] thresholds times the gradients' scale. */
  clipValue: Tensor | null;
  /** [K] */
  clipNorm: Tensor | null;
  /** [K, 1, 1] */
  maxNorm: Tensor | null;
}

/** One step of every member, as train-loop.ts trainStep does it for one. Call inside tf.tidy. */
function trainStep(
  tf: Tf,
  pack: PackedMlp,
  optimizer: PackOptimizer,
  packData: PackData,
  members: readonly MemberBatch[],
  totals: PackTotals,
  { decay, clipValue, clipNorm, maxNorm }: EpochTensors,
  anyDecay: boolean,
): void {
  const batch = packData.batch(members);
  const { grads, lossSum, correct } = pack.step(batch);
  const params = pack.params;
  // Σ‖W‖² times each member's batch size (before the update, as trainStep takes it).
  const squares = anyDecay ? [tf.mul(squaredNorms(tf, pack), tf.tensor1d(members.map((m) => m.indices.length)))] : [];
  totals.add(lossSum, correct, ...squares);
  if (clipValue === null && clipNorm === null) {
    optimizer.apply(params, grads, decay ?? undefined);
  } else {
    // Weight decay is the gradient of the penalty, part of the loss: it is clipped with the rest.
    let full = grads.map((g, i) => {
      const v = params[i]!;
      const d = decay !== null && decay.weights.has(i) ? tf.mul(v, decay.rate) : null;
      return g === null ? (d ?? tf.zerosLike(v)) : d === null ? g : tf.add(g, d);
    });
    if (clipValue !== null) {
      const low = tf.neg(clipValue);
      full = full.map((g) => tf.minimum(tf.maximum(g, low), clipValue));
    }
    if (clipNorm !== null) {
      // Keras' global_clipnorm per member: its own gradients' norm.
      const norm = tf.sqrt(tf.addN(full.map((g) => tf.sum(tf.square(g), [1, 2]))));
      const factor = tf.reshape(tf.div(clipNorm, tf.maximum(norm, clipNorm)), [members.length, 1, 1]);
      full = full.map((g) => tf.mul(g, factor));
    }
    optimizer.apply(params, full);
  }
  if (maxNorm !== null) {
    for (const group of pack.normGroups) {
      const squares = group.map((w) => tf.sum(tf.square(w), 1, true));
      const norm = tf.sqrt(squares.length === 1 ? squares[0]! : tf.addN(squares));
      const factor = tf.div(maxNorm, tf.maximum(norm, maxNorm));
      for (const w of group) w.assign(tf.mul(w, factor));
    }
  }
}
