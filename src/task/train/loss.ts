/**
 * Softmax cross-entropy (the mean over the batch is the training loss), accuracy counts and the
 * squared norm behind the book's L2 penalty 0.5·λ·Σ‖W‖².
 */
import type { Scalar, Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

/**
 * Softmax probabilities and the summed loss Σᵢ −log pᵢ[yᵢ], computed from logits shifted by
 * their row maximum: a log-softmax, so a confident wrong answer gives a large finite loss, not ∞.
 * For the hand-written backward pass: dL/dlogits = probs − oneHot.
 */
export function softmaxCrossEntropy(tf: Tf, logits: Tensor2D, oneHot: Tensor2D): { probs: Tensor2D; lossSum: Scalar } {
  const shifted = tf.sub(logits, tf.max(logits, 1, true));
  const exp = tf.exp(shifted);
  const total = tf.sum(exp, 1, true);
  const probs = tf.div(exp, total) as Tensor2D;
  const lossSum = tf.sub(tf.sum(tf.log(total)), tf.sum(tf.mul(oneHot, shifted))) as Scalar;
  return { probs, lossSum };
}

/** The summed loss, differentiable (TF.js's logSoftmax has a stable custom gradient). */
export function crossEntropySum(tf: Tf, logits: Tensor2D, oneHot: Tensor2D): Scalar {
  return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)))) as Scalar;
}

/** Examples whose largest logit is the label's (ties go to the lower class index). */
export function correctCount(tf: Tf, logits: Tensor2D, labels: Tensor1D): Scalar {
  return tf.sum(tf.equal(tf.argMax(logits, 1), labels)) as Scalar;
}

/** Σ‖W‖² over `weights`: the book's penalty is 0.5·λ times this. */
export function squaredNorm(tf: Tf, weights: readonly Tensor[]): Scalar {
  return tf.addN(weights.map((w) => tf.sum(tf.square(w)))) as Scalar;
}
