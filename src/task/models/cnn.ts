/**
 * The seeds' CNN: per entry of `filters`, conv (kernel × kernel, stride 1, same padding) →
 * activation → 2×2 max pool (stride 2, valid: odd sizes round down); then flatten → dense →
 * activation → dropout → dense output (logits).
 */
import type { Tensor, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs';
import { HpsearchError } from '../../errors.js';
import type { Tf } from '../tf.js';
import type { CnnSpec } from '../types.js';
import { activate } from './activations.js';
import { conv2dSame } from './conv.js';
import { MaskSource } from './dropout.js';
import { initialWeights, tensorSeed, variableOf } from './initializers.js';
import type { Model, ModelShape } from './model-types.js';
import type { CnnState } from './model-state.js';

interface Layer {
  kernel: Variable;
  bias: Variable;
}

export class Cnn implements Model {
  readonly convs: Layer[];
  readonly dense: Layer;
  readonly output: Layer;
  readonly masks: MaskSource;
  private readonly imageShape: [number, number, number];

  constructor(
    private readonly tf: Tf,
    readonly spec: CnnSpec,
    shape: ModelShape,
    seed: number,
  ) {
    if (shape.imageShape === null) {
      throw new HpsearchError('E_USAGE', 'model "cnn" needs image data ([height, width, channels]); this dataset has plain feature vectors, so use model "mlp"');
    }
    this.imageShape = shape.imageShape;
    this.masks = new MaskSource(seed);
    let [height, width, channels] = shape.imageShape;
    this.convs = spec.filters.map((filters, i) => {
      const layer = this.layer([spec.kernel, spec.kernel, channels, filters], `conv${i}`, seed);
      channels = filters;
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
      return layer;
    });
    if (height < 1 || width < 1) {
      throw new HpsearchError('E_USAGE', `model "cnn": ${spec.filters.length} conv → pool blocks halve ${shape.imageShape[0]}×${shape.imageShape[1]} images to nothing; use fewer filters entries`);
    }
    this.dense = this.layer([height * width * channels, spec.dense], 'dense', seed);
    this.output = this.layer([spec.dense, shape.classes], 'output', seed);
  }

  private layer(shape: number[], name: string, seed: number): Layer {
    const tf = this.tf;
    return {
      kernel: variableOf(tf, () => initialWeights(tf, shape, this.spec, tensorSeed(seed, name))),
      bias: variableOf(tf, () => tf.zeros([shape[shape.length - 1]!])),
    };
  }

  forward(x: Tensor2D, training: boolean): Tensor2D {
    const tf = this.tf;
    const act = this.spec.activation;
    let h = tf.reshape(x, [x.shape[0], ...this.imageShape]) as Tensor4D;
    for (const conv of this.convs) {
      const z = tf.add(conv2dSame(tf, h, conv.kernel as Tensor4D), conv.bias);
      h = tf.maxPool(activate(tf, z, act) as Tensor4D, 2, 2, 'valid');
    }
    const flat = tf.reshape(h, [h.shape[0], -1]);
    let d: Tensor = activate(tf, tf.add(tf.matMul(flat, this.dense.kernel), this.dense.bias), act);
    if (training && this.spec.dropout > 0) {
      d = tf.mul(d, this.masks.mask(tf, d.shape[0]!, d.shape[1]!, this.spec.dropout));
    }
    return tf.add(tf.matMul(d, this.output.kernel), this.output.bias) as Tensor2D;
  }

  state(): CnnState {
    return { type: 'cnn', convs: this.convs, dense: this.dense, output: this.output };
  }

  weights(): Variable[] {
    return [...this.convs, this.dense, this.output].map((layer) => layer.kernel);
  }

  variables(): Variable[] {
    return [...this.convs, this.dense, this.output].flatMap((layer) => [layer.kernel, layer.bias]);
  }

  dispose(): void {
    for (const layer of [...this.convs, this.dense, this.output]) {
      layer.kernel.dispose();
      layer.bias.dispose();
    }
  }
}

export function createCnn(tf: Tf, spec: CnnSpec, shape: ModelShape, seed: number): Cnn {
  return new Cnn(tf, spec, shape, seed);
}
