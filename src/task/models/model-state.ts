/**
 * A model's inference state as plain tensors, laid out by its architecture: every weight the
 * forward pass reads in evaluation (batch-norm moving statistics included), the first kernel
 * as wide as the dataset's examples. What a trained model is exported from (task/export/);
 * runners hand it out from their snapshots (Runner.snapshot).
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

export interface BatchNormState {
  gamma: Tensor;
  beta: Tensor;
  movingMean: Tensor;
  movingVariance: Tensor;
}

export interface DenseState {
  /** [inputs, units] */
  kernel: Tensor;
  /** null when batch norm follows (its beta is the offset). */
  bias: Tensor | null;
  batchNorm: BatchNormState | null;
}

export interface MlpState {
  type: 'mlp';
  hidden: DenseState[];
  output: DenseState;
}

export interface CnnLayerState {
  kernel: Tensor;
  bias: Tensor;
}

export interface CnnState {
  type: 'cnn';
  /** [kernel, kernel, in, out] each */
  convs: CnnLayerState[];
  dense: CnnLayerState;
  output: CnnLayerState;
}

export type ModelState = MlpState | CnnState;

/** Every tensor of a state, in architecture order. */
export function stateTensors(state: ModelState): Tensor[] {
  if (state.type === 'cnn') return [...state.convs, state.dense, state.output].flatMap((l) => [l.kernel, l.bias]);
  return [...state.hidden, state.output].flatMap((l) => [
    l.kernel,
    ...(l.bias !== null ? [l.bias] : []),
    ...(l.batchNorm !== null ? [l.batchNorm.gamma, l.batchNorm.beta, l.batchNorm.movingMean, l.batchNorm.movingVariance] : []),
  ]);
}

/** The same state with every tensor replaced by `f(tensor)`. */
export function mapState(state: ModelState, f: (t: Tensor) => Tensor): ModelState {
  if (state.type === 'cnn') {
    const layer = (l: CnnLayerState): CnnLayerState => ({ kernel: f(l.kernel), bias: f(l.bias) });
    return { type: 'cnn', convs: state.convs.map(layer), dense: layer(state.dense), output: layer(state.output) };
  }
  const dense = (l: DenseState): DenseState => ({
    kernel: f(l.kernel),
    bias: l.bias === null ? null : f(l.bias),
    batchNorm:
      l.batchNorm === null
        ? null
        : { gamma: f(l.batchNorm.gamma), beta: f(l.batchNorm.beta), movingMean: f(l.batchNorm.movingMean), movingVariance: f(l.batchNorm.movingVariance) },
  });
  return { type: 'mlp', hidden: state.hidden.map(dense), output: dense(state.output) };
}

/**
 * A copy that later training does not change: tf.clone shares the data, and training replaces a
 * variable's data (assign) rather than writing into it, so a copy costs no device work.
 */
export function cloneState(tf: Tf, state: ModelState): ModelState {
  return mapState(state, (t) => tf.clone(t));
}

export function disposeState(state: ModelState): void {
  stateTensors(state).forEach((t) => t.dispose());
}
