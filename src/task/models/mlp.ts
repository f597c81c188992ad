/**
 * The MLP: dense → [batch norm] → activation → [dropout] per hidden layer, then a dense output
 * layer whose logits go through softmax in the loss.
 *
 * With batch norm the hidden dense layers have no bias: batch norm's offset (beta) takes its
 * place, as in the usual Dense(use_bias=False) → BatchNormalization. Batch norm normalises with
 * the batch mean and (biased) variance in training and with moving averages in evaluation.
 */
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { MlpSpec } from '../types.js';
import { activate } from './activations.js';
import { MaskSource } from './dropout.js';
import { initialWeights, tensorSeed, variableOf } from './initializers.js';
import type { Model, ModelShape } from './model-types.js';
import type { MlpState } from './model-state.js';

/** Moving averages forget at 1 - momentum per step: 0.9 suits trials of a few hundred steps (Keras uses 0.99). */
export const BATCH_NORM_MOMENTUM = 0.9;
export const BATCH_NORM_EPSILON = 1e-3;

export interface BatchNorm {
  gamma: Variable;
  beta: Variable;
  movingMean: Variable;
  movingVariance: Variable;
}

export interface DenseLayer {
  /** [inputs, units] */
  kernel: Variable;
  /** [units]; null when batch norm follows. */
  bias: Variable | null;
  batchNorm: BatchNorm | null;
}

export class Mlp implements Model {
  readonly hidden: DenseLayer[];
  readonly output: DenseLayer;
  /** Dropout masks of training forward passes, drawn in call order from the trial seed. */
  readonly masks: MaskSource;

  constructor(
    private readonly tf: Tf,
    readonly spec: MlpSpec,
    shape: ModelShape,
    seed: number,
  ) {
    this.masks = new MaskSource(seed);
    const widths = [shape.features, ...spec.hidden];
    this.hidden = spec.hidden.map((units, i) => this.dense(widths[i]!, units, `hidden${i}`, seed, spec.batchNorm));
    this.output = this.dense(widths[widths.length - 1]!, shape.classes, 'output', seed, false);
  }

  private dense(inputs: number, units: number, name: string, seed: number, batchNorm: boolean): DenseLayer {
    const tf = this.tf;
    return {
      kernel: variableOf(tf, () => initialWeights(tf, [inputs, units], this.spec, tensorSeed(seed, name))),
      bias: batchNorm ? null : variableOf(tf, () => tf.zeros([units])),
      batchNorm: batchNorm
        ? {
            gamma: variableOf(tf, () => tf.ones([units])),
            beta: variableOf(tf, () => tf.zeros([units])),
            movingMean: variableOf(tf, () => tf.zeros([units]), false),
            movingVariance: variableOf(tf, () => tf.ones([units]), false),
          }
        : null,
    };
  }

  forward(x: Tensor2D, training: boolean): Tensor2D {
    const tf = this.tf;
    let h: Tensor = x;
    for (const layer of this.hidden) {
      let z = tf.matMul(h, layer.kernel);
      z = layer.batchNorm !== null ? this.normalize(z, layer.batchNorm, training) : tf.add(z, layer.bias!);
      h = activate(tf, z, this.spec.activation);
      if (training && this.spec.dropout > 0) {
        h = tf.mul(h, this.masks.mask(tf, h.shape[0]!, h.shape[1]!, this.spec.dropout));
      }
    }
    return tf.add(tf.matMul(h, this.output.kernel), this.output.bias!) as Tensor2D;
  }

  private normalize(z: Tensor, bn: BatchNorm, training: boolean): Tensor {
    const tf = this.tf;
    let mean: Tensor = bn.movingMean;
    let variance: Tensor = bn.movingVariance;
    if (training) {
      const moments = tf.moments(z, 0);
      mean = moments.mean;
      variance = moments.variance;
      const m = BATCH_NORM_MOMENTUM;
      bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, m), tf.mul(mean, 1 - m)));
      bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, m), tf.mul(variance, 1 - m)));
    }
    const normalized = tf.mul(tf.sub(z, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
    return tf.add(tf.mul(normalized, bn.gamma), bn.beta);
  }

  state(): MlpState {
    return { type: 'mlp', hidden: this.hidden, output: this.output };
  }

  weights(): Variable[] {
    return [...this.hidden, this.output].map((layer) => layer.kernel);
  }

  variables(): Variable[] {
    return [...this.hidden, this.output].flatMap((layer) => [
      layer.kernel,
      ...(layer.bias !== null ? [layer.bias] : []),
      ...(layer.batchNorm !== null ? [layer.batchNorm.gamma, layer.batchNorm.beta] : []),
    ]);
  }

  dispose(): void {
    for (const layer of [...this.hidden, this.output]) {
      layer.kernel.dispose();
      layer.bias?.dispose();
      if (layer.batchNorm !== null) Object.values(layer.batchNorm).forEach((v: Variable) => v.dispose());
    }
  }
}

export function createMlp(tf: Tf, spec: MlpSpec, shape: ModelShape, seed: number): Mlp {
  return new Mlp(tf, spec, shape, seed);
}
