/**
 * A pack's examples on the device and each step's batches.
 *
 * The training set is uploaded once as [N, width] rows (with one-hot and integer labels), width
 * the features the pack reads (all, or those not zero in every example: data.ts zeroColumns);
 * each step gathers the members' batch rows by index (int32 [K·n]), every member's own batch
 * from its own plan (data.ts planBatches) in its own epoch order (epochOrder).
 *
 * Batches of different sizes (the last batch of a plan is smaller when count % batchSize ≠ 0,
 * and members reach it at different steps) are padded to the step's largest batch with copies
 * of the member's own first example, weighted 0: the loss, accuracy, gradient (through coef)
 * and batch-norm moments count only the member's own examples. Padding rather than grouping
 * members by batch size keeps one set of ops per step; on steps where no batch is padded
 * (every step when batchSize divides the count, as for best-5) the weights are left out.
 *
 * The validation set is shared by every member (one study seed, one split): it is uploaded once
 * as [1, c, features] chunks that broadcast over the member axis.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../../tf.js';
import type { MaskSource } from '../../models/dropout.js';
import type { Examples, LoadedDataset } from '../../types.js';
import { chunks, range } from '../data.js';
import type { PackedBatch } from './packed-mlp.js';

/**
 * Validation activations per chunk, summed over the members (floats of the widest layer after
 * the input, which is shared): 32 MB. Chunks are slow on a native backend (a best-5 pack of 64
 * measured 7.9 ms for its 100 validation rows at once, 13.7 ms in 5 chunks of 20).
 */
export const PACK_VALIDATION_ELEMENTS = 8 * 1024 * 1024;

interface DeviceExamples {
  x: Tensor;
  oneHot: Tensor;
  labels: Tensor;
}

function upload(tf: Tf, set: Examples, indices: Int32Array, features: number, columns: Int32Array | null, classes: number, lead: number[]): DeviceExamples {
  const n = indices.length;
  const width = columns?.length ?? features;
  const x = new Float32Array(n * width);
  const labels = new Int32Array(n);
  const oneHot = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const e = indices[i]!;
    if (columns === null) x.set(set.x.subarray(e * features, (e + 1) * features), i * features);
    else for (let j = 0; j < width; j++) x[i * width + j] = set.x[e * features + columns[j]!]!;
    labels[i] = set.y[e]!;
    oneHot[i * classes + labels[i]!] = 1;
  }
  return {
    x: tf.tensor(x, [...lead, n, width]),
    oneHot: tf.tensor(oneHot, [...lead, n, classes]),
    labels: tf.tensor(labels, [...lead, n], 'int32'),
  };
}

function disposeExamples(e: DeviceExamples): void {
  e.x.dispose();
  e.oneHot.dispose();
  e.labels.dispose();
}

/** One member's part of a step: its batch's example indices, its dropout rate and mask source. */
export interface MemberBatch {
  indices: Int32Array;
  /** What the member's gradients are multiplied by (its learning rate for sgd, else 1). */
  scale: number;
  dropout: number;
  masks: MaskSource;
}

export class PackData {
  private readonly train: DeviceExamples;
  readonly validation: DeviceExamples[];
  /** `columns`: the features to keep (in this order), null for all. */
  constructor(
    private readonly tf: Tf,
    data: LoadedDataset,
    private readonly hidden: readonly number[],
    members: number,
    columns: Int32Array | null,
  ) {
    const { features, classes } = data;
    this.train = upload(tf, data.train, range(data.train.count), features, columns, classes, []);
    const widest = Math.max(classes, ...hidden);
    const rows = Math.max(1, Math.floor(PACK_VALIDATION_ELEMENTS / (members * widest)));
    this.validation = [];
    try {
      for (const piece of chunks(range(data.validation.count), rows)) this.validation.push(upload(tf, data.validation, piece, features, columns, classes, [1]));
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** One step's batch for `members` (one per pack row). Call inside tf.tidy. */
  batch(members: readonly MemberBatch[]): PackedBatch {
    const tf = this.tf;
    const k = members.length;
    const n = Math.max(...members.map((m) => m.indices.length));
    const padded = members.some((m) => m.indices.length < n);
    const indices = new Int32Array(k * n);
    members.forEach((m, r) => {
      indices.set(m.indices, r * n);
      indices.fill(m.indices[0]!, r * n + m.indices.length, (r + 1) * n);
    });
    // [K, n] indices gather [K, n, ...] straight away: no reshapes (each an op on tfjs-node).
    const rows = tf.tensor2d(indices, [k, n], 'int32');
    const x = tf.gather(this.train.x, rows);
    const oneHot = tf.gather(this.train.oneHot, rows);
    const labels = tf.gather(this.train.labels, rows);
    let weight: Tensor | null = null;
    let count: Tensor | null = null;
    let coef: Tensor;
    if (padded) {
      const w = new Float32Array(k * n);
      const c = new Float32Array(k * n);
      members.forEach((m, r) => {
        const size = m.indices.length;
        w.fill(1, r * n, r * n + size);
        c.fill(m.scale / size, r * n, r * n + size);
      });
      weight = tf.tensor3d(w, [k, n, 1]);
      count = tf.tensor3d(Float32Array.from(members.map((m) => m.indices.length)), [k, 1, 1]);
      coef = tf.tensor3d(c, [k, n, 1]);
    } else {
      coef = tf.tensor3d(Float32Array.from(members.map((m) => m.scale / n)), [k, 1, 1]);
    }
    const masks = this.hidden.map((units) => this.masks(members, n, units));
    return { x, oneHot, labels, weight, count, coef, masks };
  }

  /**
   * A hidden layer's dropout masks [K, n, units]: each member's from its own source, drawn for
   * its own batch size as Mlp.forward and FastMlp draw them (layer by layer, one [size, units]
   * mask each); 1 for members without dropout; null when no member drops out.
   */
  private masks(members: readonly MemberBatch[], n: number, units: number): Tensor | null {
    if (!members.some((m) => m.dropout > 0)) return null;
    const block = n * units;
    const values = new Float32Array(members.length * block);
    members.forEach((m, r) => {
      if (m.dropout > 0) m.masks.draw(values, r * block, m.indices.length * units, m.dropout);
      else values.fill(1, r * block, (r + 1) * block);
    });
    return this.tf.tensor3d(values, [members.length, n, units]);
  }

  dispose(): void {
    disposeExamples(this.train);
    this.validation.forEach(disposeExamples);
    this.validation.length = 0;
  }
}
