/**
 * A trial's examples as tensors, uploaded once.
 *
 * Batches are drawn once per trial (a seeded shuffle of the training set cut into batchSize
 * pieces, the last one possibly smaller) and each epoch visits them in a new seeded order, much
 * like Keras' fit(shuffle='batch'); examples are not reshuffled between batches. Fixed batches
 * are what let their tensors live for the whole trial: on wasm, XNNPACK packs the right
 * operand of every matMul it has not seen (~8 ns per element) and caches that per tensor, so a
 * batch tensor that stays alive is packed once per trial instead of once per step. Gathering or
 * slicing rows out of one big tensor per step would defeat that, and both are slow there anyway
 * (gather of 100×784 measured ~4 ms; slice copies the whole source tensor to JavaScript first).
 *
 * Above RESIDENT_FLOATS the batches are built per step from the JavaScript arrays instead (same
 * contents, so the same math), keeping memory bounded for large training sets.
 */
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { HpsearchError } from '../../errors.js';
import { rngFor } from '../../random/rng.js';
import type { Tf } from '../tf.js';
import type { Examples, LoadedDataset } from '../types.js';

/** Floats kept on the device per example set (8M = 32 MB, plus as much for XNNPACK's packed copies). */
export const RESIDENT_FLOATS = 8 * 1024 * 1024;

export interface Batch {
  size: number;
  /** [size, width] */
  x: Tensor2D | null;
  /** [width, size] */
  xT: Tensor2D | null;
  /** [size, classes] */
  oneHot: Tensor2D;
  /** [size], int32 */
  labels: Tensor1D;
}

export interface Layouts {
  rows: boolean;
  columns: boolean;
  /** Feature columns to keep (in this order); null for all. */
  features: Int32Array | null;
}

function shuffle(values: number[], rng: () => number): number[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

/** Example indices per batch, fixed for the trial. */
export function planBatches(count: number, batchSize: number, seed: number): Int32Array[] {
  const order = Int32Array.from(shuffle(Array.from({ length: count }, (_, i) => i), rngFor(seed, 'batches')));
  return chunks(order, batchSize);
}

/** The order in which epoch `epoch` (1-based) visits the batches. */
export function epochOrder(batches: number, seed: number, epoch: number): number[] {
  return shuffle(Array.from({ length: batches }, (_, i) => i), rngFor(seed, 'batch-order', epoch));
}

/** `indices` cut into consecutive pieces of at most `size`. */
export function chunks(indices: Int32Array, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let start = 0; start < indices.length; start += size) out.push(indices.subarray(start, start + size));
  return out;
}

export function range(count: number): Int32Array {
  return Int32Array.from({ length: count }, (_, i) => i);
}

const columnCache = new WeakMap<LoadedDataset, { active: Int32Array; inactive: Int32Array } | null>();

/**
 * Feature columns that are zero in every training and validation example split from the rest,
 * or null when there are none. Such a column adds exactly nothing to a first-layer product, so
 * the fast MLP leaves it out of its matMuls (205 of MNIST's 784 pixels for the first 500 images).
 */
export function zeroColumns(data: LoadedDataset): { active: Int32Array; inactive: Int32Array } | null {
  if (columnCache.has(data)) return columnCache.get(data)!;
  const used = new Uint8Array(data.features);
  for (const set of [data.train, data.validation]) {
    for (let i = 0; i < set.count; i++) {
      const base = i * data.features;
      for (let j = 0; j < data.features; j++) if (set.x[base + j] !== 0) used[j] = 1;
    }
  }
  const active: number[] = [];
  const inactive: number[] = [];
  used.forEach((u, j) => (u ? active : inactive).push(j));
  const result = inactive.length === 0 || active.length === 0 ? null : { active: Int32Array.from(active), inactive: Int32Array.from(inactive) };
  columnCache.set(data, result);
  return result;
}

/** Groups of examples (batches or validation chunks) as tensors: resident, or built on demand. */
export class DeviceBatches {
  private readonly resident: Batch[] | null;
  readonly width: number;

  constructor(
    private readonly tf: Tf,
    private readonly examples: Examples,
    private readonly features: number,
    private readonly classes: number,
    private readonly groups: readonly Int32Array[],
    private readonly layouts: Layouts,
    residentFloats = RESIDENT_FLOATS,
  ) {
    this.width = layouts.features?.length ?? features;
    for (let i = 0; i < examples.count; i++) {
      const label = examples.y[i]!;
      if (!(label >= 0 && label < classes)) {
        throw new HpsearchError('E_VALIDATION', `example ${i} has label ${label}, outside the ${classes} classes 0..${classes - 1}`);
      }
    }
    const copies = (layouts.rows ? 1 : 0) + (layouts.columns ? 1 : 0);
    this.resident = examples.count * this.width * copies <= residentFloats ? [] : null;
    if (this.resident !== null) {
      try {
        for (let g = 0; g < groups.length; g++) this.resident.push(this.build(g));
      } catch (error) {
        this.dispose();
        throw error;
      }
    }
  }

  get count(): number {
    return this.groups.length;
  }

  /** Group `g`. Resident tensors belong to this object; built ones to the caller's tf.tidy. */
  get(g: number): Batch {
    return this.resident !== null ? this.resident[g]! : this.build(g);
  }

  private build(g: number): Batch {
    const { tf, examples, features, classes, layouts, width } = this;
    const indices = this.groups[g]!;
    const n = indices.length;
    const cols = layouts.features;
    let x: Tensor2D | null = null;
    let xT: Tensor2D | null = null;
    if (layouts.rows) {
      const rows = new Float32Array(n * width);
      for (let i = 0; i < n; i++) {
        const base = indices[i]! * features;
        if (cols === null) rows.set(examples.x.subarray(base, base + features), i * width);
        else for (let j = 0; j < width; j++) rows[i * width + j] = examples.x[base + cols[j]!]!;
      }
      x = tf.tensor2d(rows, [n, width]);
    }
    if (layouts.columns) {
      const columns = new Float32Array(width * n);
      for (let i = 0; i < n; i++) {
        const base = indices[i]! * features;
        for (let j = 0; j < width; j++) columns[j * n + i] = examples.x[base + (cols === null ? j : cols[j]!)]!;
      }
      xT = tf.tensor2d(columns, [width, n]);
    }
    const labels = new Int32Array(n);
    const oneHot = new Float32Array(n * classes);
    for (let i = 0; i < n; i++) {
      labels[i] = examples.y[indices[i]!]!;
      oneHot[i * classes + labels[i]!] = 1;
    }
    return { size: n, x, xT, oneHot: tf.tensor2d(oneHot, [n, classes]), labels: tf.tensor1d(labels, 'int32') };
  }

  dispose(): void {
    for (const batch of this.resident ?? []) {
      batch.x?.dispose();
      batch.xT?.dispose();
      batch.oneHot.dispose();
      batch.labels.dispose();
    }
    if (this.resident !== null) this.resident.length = 0;
  }
}
