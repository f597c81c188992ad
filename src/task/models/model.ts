/**
 * Models of the built-in task: plain tf.Variables and a forward function written with TF.js ops
 * (tfjs-layers' model.fit measured 5-7 s for a best-5 trial; this, under 1 s).
 */
import type { Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../backend.js';
import type { ModelSpec } from '../types.js';
import { createCnn } from './cnn.js';
import { createMlp } from './mlp.js';

export interface Model {
  readonly spec: ModelSpec;
  /**
   * Logits [n, classes] for x [n, features]. The softmax is left to the loss (a log-softmax,
   * which stays finite where softmax then log would not). `training` turns on dropout and makes
   * batch norm use, and update, the batch statistics; evaluation is deterministic.
   */
  forward(x: Tensor2D, training: boolean): Tensor2D;
  /** Weight matrices and conv kernels, whose last axis is the output unit: what weight decay and max-norm apply to. */
  weights(): Variable[];
  /** Every trainable variable (weights, biases, batch-norm scales and offsets). */
  variables(): Variable[];
  /** Disposes every variable, including non-trainable ones such as batch-norm moving statistics. */
  dispose(): void;
}

export interface ModelShape {
  features: number;
  classes: number;
  /** [height, width, channels]; cnn needs it. */
  imageShape: [number, number, number] | null;
}

/** A model with weights drawn from `seed` (and, for dropout, masks drawn from it too). */
export function createModel(tf: Tf, spec: ModelSpec, shape: ModelShape, seed: number): Model {
  return spec.type === 'mlp' ? createMlp(tf, spec, shape, seed) : createCnn(tf, spec, shape, seed);
}
