/** What every model of the built-in task is, whatever its architecture (mlp.ts, cnn.ts). */
import type { Tensor2D, Variable } from '@tensorflow/tfjs';
import type { ModelSpec } from '../types.js';
import type { ModelState } from './model-state.js';

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
  /** Its variables as they are now, laid out by architecture (the variables themselves, not copies). */
  state(): ModelState;
  /** Disposes every variable, including non-trainable ones such as batch-norm moving statistics. */
  dispose(): void;
}

export interface ModelShape {
  features: number;
  classes: number;
  /** [height, width, channels]; cnn needs it. */
  imageShape: [number, number, number] | null;
}
