/**
 * Gradient clipping (before the optimizer) and the max-norm constraint (after it).
 *
 * `scale` is what the gradients were already multiplied by (the learning rate when sgd takes
 * scaled gradients, else 1): clipping lr·g at lr·v is clipping g at v, so thresholds scale too.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { TrainSpec } from '../types.js';

export function clipGradients(tf: Tf, grads: Tensor[], train: Pick<TrainSpec, 'clipValue' | 'clipNorm'>, scale = 1): Tensor[] {
  let clipped = grads;
  if (train.clipValue !== null) {
    const v = train.clipValue * scale;
    clipped = clipped.map((g) => tf.clipByValue(g, -v, v));
  }
  if (train.clipNorm !== null) {
    // Keras' global_clipnorm: g · n / max(‖g‖, n) over all gradients at once.
    const n = train.clipNorm * scale;
    const norm = tf.sqrt(tf.addN(clipped.map((g) => tf.sum(tf.square(g)))));
    const factor = tf.div(n, tf.maximum(norm, n));
    clipped = clipped.map((g) => tf.mul(g, factor));
  }
  return clipped;
}

/**
 * Variables whose norm is taken together: `axes` are summed over, the rest index the output
 * units. A dense kernel [in, out] is one group with axes [0] (each unit's incoming weights); a
 * kernel split in column blocks is one group of several variables.
 */
export interface NormGroup {
  vars: Variable[];
  axes: number[];
}

/** The kernel's incoming weights per output unit: every axis but the last. */
export function unitGroup(kernel: Variable): NormGroup {
  return { vars: [kernel], axes: Array.from({ length: kernel.rank - 1 }, (_, i) => i) };
}

/**
 * Rescales each unit's incoming weights to a norm of at most m: w · m / max(‖w‖, m). Unlike
 * Keras' MaxNorm (w · clip(‖w‖, 0, m) / (ε + ‖w‖)) it leaves norms below m exactly alone.
 */
export function applyMaxNorm(tf: Tf, groups: readonly NormGroup[], m: number): void {
  for (const group of groups) {
    const squares = group.vars.map((v) => tf.sum(tf.square(v), group.axes, true));
    const norm = tf.sqrt(squares.length === 1 ? squares[0]! : tf.addN(squares));
    const factor = tf.div(m, tf.maximum(norm, m));
    for (const v of group.vars) v.assign(tf.mul(v, factor));
  }
}
