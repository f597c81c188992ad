/**
 * Hidden-layer activations: the op, its fused form for tf.fused.matMul, and its derivative written
 * in terms of the activation's output (what the hand-written backward pass keeps).
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { Activation } from '../types.js';

/** Keras' LeakyReLU default is 0.3; the book (and this task) use 0.01. */
export const LEAKY_RELU_ALPHA = 0.01;
/** SELU constants (Klambauer et al. 2017), as TF.js and Keras define them. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;

export function activate(tf: Tf, x: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'relu':
      return tf.relu(x);
    case 'leaky_relu':
      return tf.leakyRelu(x, LEAKY_RELU_ALPHA);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
  }
}

export type FusedActivation = 'relu' | 'leakyrelu' | 'sigmoid' | 'elu';

/** The tf.fused.matMul activation computing the same function, when there is one. */
export function fusedActivation(activation: Activation): FusedActivation | null {
  switch (activation) {
    case 'relu':
      return 'relu';
    case 'leaky_relu':
      return 'leakyrelu';
    case 'sigmoid':
      return 'sigmoid';
    case 'elu':
      return 'elu';
    default:
      return null;
  }
}

/**
 * dL/dz from dL/da and a = activation(z). Every activation here is monotonic, so its derivative
 * is a function of its output: a > 0 exactly when z > 0, e^z = a + 1 for elu, and so on.
 * At z = 0 it picks the same side as TF.js's own gradients.
 */
export function activationGradFromOutput(tf: Tf, da: Tensor, a: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'relu':
      return tf.mul(da, tf.step(a));
    case 'leaky_relu':
      return tf.mul(da, tf.step(a, LEAKY_RELU_ALPHA));
    case 'sigmoid':
      return tf.mul(da, tf.mul(a, tf.sub(1, a)));
    case 'tanh':
      return tf.mul(da, tf.sub(1, tf.square(a)));
    case 'elu':
      // z > 0: 1; z <= 0: e^z = a + 1.
      return tf.mul(da, tf.add(tf.minimum(a, 0), 1));
    case 'selu': {
      // z > 0: scale; z <= 0: scale·alpha·e^z = a + scale·alpha.
      const sa = SELU_SCALE * SELU_ALPHA;
      const negative = tf.add(tf.minimum(a, 0), sa);
      return tf.mul(da, tf.add(negative, tf.mul(tf.step(a), SELU_SCALE - sa)));
    }
  }
}
