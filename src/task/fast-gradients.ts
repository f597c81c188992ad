/**
 * A faster gradient for BatchMatMul on the wasm and cpu backends.
 *
 * TF.js's own gradient computes dA = dy·Bᵀ and dB = Aᵀ·dy with the transposeA/transposeB
 * attributes of matMul. The wasm backend only sends untransposed products to XNNPACK; the others
 * run a naive loop that measured ~9× slower for transposeA and ~5× for transposeB. Transposing
 * explicitly first (a cheap copy) and multiplying untransposed gives the same values much faster.
 *
 * The gradient registry is global to the thread, so this applies to every backend afterwards;
 * the math is identical, only the kernels differ.
 *
 * tf.fused.matMul needs nothing here: its gradient is written inside the op (customGrad), not
 * looked up in the registry, so training code that differentiates uses plain matMul.
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import type { Tf } from './tf.js';

const MARK = Symbol.for('hpsearch.fastBatchMatMulGradient');

interface MarkedConfig extends GradConfig {
  [MARK]?: GradConfig;
}

/** Registers the fast BatchMatMul gradient; calling it again is a no-op. */
export function registerFastGradients(tf: Tf): void {
  const current = tf.getGradient('BatchMatMul') as MarkedConfig | undefined;
  if (current !== undefined && MARK in current) return;
  tf.registerGradient({
    kernelName: 'BatchMatMul',
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => fastBatchMatMulGrad(tf, dy as Tensor, saved, attrs),
    [MARK]: current,
  } as MarkedConfig);
}

/** The gradient TF.js had registered before registerFastGradients replaced it (for comparisons). */
export function originalBatchMatMulGradient(tf: Tf): GradConfig | undefined {
  const current = tf.getGradient('BatchMatMul') as MarkedConfig | undefined;
  return current !== undefined && MARK in current ? current[MARK] : current;
}

/** Swaps the last two axes. */
function t(tf: Tf, x: Tensor): Tensor {
  const rank = x.rank;
  if (rank === 2) return tf.transpose(x);
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return tf.transpose(x, perm);
}

/**
 * y = op(a)·op(b), op = transpose or not. Each case is TF.js's gradient with the transposes
 * made explicit: e.g. for y = a·b, dA = dy·bᵀ and dB = aᵀ·dy.
 */
export function fastBatchMatMulGrad(tf: Tf, dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): { a: () => Tensor; b: () => Tensor } {
  const [a, b] = saved as [Tensor, Tensor];
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  if (!transposeA && !transposeB) {
    return { a: () => tf.matMul(dy, t(tf, b)), b: () => tf.matMul(t(tf, a), dy) };
  }
  if (!transposeA && transposeB) {
    return { a: () => tf.matMul(dy, b), b: () => tf.matMul(t(tf, dy), a) };
  }
  if (transposeA && !transposeB) {
    return { a: () => tf.matMul(b, t(tf, dy)), b: () => tf.matMul(a, dy) };
  }
  return { a: () => tf.matMul(t(tf, b), t(tf, dy)), b: () => tf.matMul(t(tf, dy), t(tf, a)) };
}
