import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { activate, activationGradFromOutput } from '../../../src/task/models/activations.js';
import { MaskSource } from '../../../src/task/models/dropout.js';
import { fans, initialWeights } from '../../../src/task/models/initializers.js';
import { createModel } from '../../../src/task/models/model.js';
import type { Mlp } from '../../../src/task/models/mlp.js';
import type { Activation, Initializer } from '../../../src/task/types.js';
import { cnn, mlp, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const shape = { features: 10, classes: 3, imageShape: null };
const same = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('mlp', () => {
  it('dropout: random in training, deterministic and off in evaluation', () => {
    const model = createModel(tf, mlp({ dropout: 0.5 }), shape, 7);
    tf.tidy(() => {
      const x = tf.randomNormal([8, 10], 0, 1, 'float32', 1) as Tensor2D;
      const train1 = model.forward(x, true);
      const train2 = model.forward(x, true);
      const eval1 = model.forward(x, false);
      const eval2 = model.forward(x, false);
      expect(same(train1, train2)).toBeGreaterThan(1e-3);
      expect(same(eval1, eval2)).toBe(0);
      expect(same(train1, eval1)).toBeGreaterThan(1e-3);
    });
    model.dispose();
  });

  it('batch norm: batch statistics in training, moving averages in evaluation', () => {
    const model = createModel(tf, mlp({ batchNorm: true }), shape, 7) as Mlp;
    tf.tidy(() => {
      const x = tf.add(tf.randomNormal([16, 10], 0, 1, 'float32', 2), 3) as Tensor2D;
      const eval1 = model.forward(x, false);
      const train = model.forward(x, true);
      expect(same(train, eval1)).toBeGreaterThan(1e-2);
      // The training pass moved the moving mean towards the batch mean (it started at zero).
      expect(tf.sum(tf.abs(model.hidden[0]!.batchNorm!.movingMean)).dataSync()[0]).toBeGreaterThan(0);
      const eval2 = model.forward(x, false);
      expect(same(eval2, model.forward(x, false))).toBe(0);
      expect(same(eval1, eval2)).toBeGreaterThan(0);
      // In training an example's output depends on the rest of its batch; in evaluation it does not.
      const other = tf.concat([x.slice([0, 0], [1, 10]), tf.randomNormal([15, 10], 0, 1, 'float32', 3)]) as Tensor2D;
      const first = (t: Tensor) => t.slice([0, 0], [1, 3]);
      expect(same(first(model.forward(x, false)), first(model.forward(other, false)))).toBe(0);
      expect(same(first(model.forward(x, true)), first(model.forward(other, true)))).toBeGreaterThan(1e-3);
    });
    model.dispose();
  });

  it('lists weights (kernels) and trainable variables; dispose frees them all', () => {
    const before = tf.memory().numTensors;
    const plain = createModel(tf, mlp({ hidden: [5, 6] }), shape, 1);
    expect(plain.weights().map((w) => w.shape)).toEqual([[10, 5], [5, 6], [6, 3]]);
    expect(plain.variables()).toHaveLength(6);
    const normed = createModel(tf, mlp({ hidden: [5, 6], batchNorm: true }), shape, 1);
    // Hidden layers lose their bias to batch norm's beta and gain gamma: 2 × (kernel, gamma, beta) + output (kernel, bias).
    expect(normed.variables()).toHaveLength(8);
    plain.dispose();
    normed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed gives the same weights, another seed others', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => createModel(tf, mlp(), shape, seed));
    expect(same(a!.weights()[0]!, b!.weights()[0]!)).toBe(0);
    expect(same(a!.weights()[0]!, c!.weights()[0]!)).toBeGreaterThan(0);
    [a, b, c].forEach((m) => m!.dispose());
  });
});

describe('cnn', () => {
  it('has conv kernels [k, k, in, out] and needs an image shape', () => {
    const model = createModel(tf, cnn(), { features: 64, classes: 4, imageShape: [8, 8, 1] }, 1);
    expect(model.weights().map((w) => w.shape)).toEqual([[3, 3, 1, 4], [3, 3, 4, 8], [2 * 2 * 8, 16], [16, 4]]);
    tf.tidy(() => {
      expect(model.forward(tf.zeros([2, 64]) as Tensor2D, false).shape).toEqual([2, 4]);
    });
    model.dispose();
    expect(() => createModel(tf, cnn(), { features: 64, classes: 4, imageShape: null }, 1)).toThrow(/needs image data/);
  });
});

describe('dropout masks', () => {
  it('keep 1 - rate of the units, scaled by 1/(1 - rate), in a seeded sequence', () => {
    const draw = (seed: number) => tf.tidy(() => Array.from(new MaskSource(seed).mask(tf, 100, 100, 0.3).dataSync()));
    const mask = draw(1);
    const kept = mask.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    expect(kept.length / mask.length).toBeGreaterThan(0.68);
    expect(kept.length / mask.length).toBeLessThan(0.72);
    expect(draw(1)).toEqual(mask);
    expect(draw(2)).not.toEqual(mask);
  });
});

describe('initializers', () => {
  it('computes fans of dense and conv kernels', () => {
    expect(fans([784, 100])).toEqual({ fanIn: 784, fanOut: 100 });
    expect(fans([3, 3, 8, 16])).toEqual({ fanIn: 72, fanOut: 144 });
  });

  const cases: [Initializer, (fanIn: number, fanOut: number) => { std: number; bound: number }][] = [
    ['random_normal', () => ({ std: 0.05, bound: Infinity })],
    ['random_uniform', () => ({ std: 0.05 / Math.sqrt(3), bound: 0.05 })],
    ['glorot_normal', (i, o) => ({ std: Math.sqrt(2 / (i + o)), bound: (2 * Math.sqrt(2 / (i + o))) / 0.8796 })],
    ['glorot_uniform', (i, o) => ({ std: Math.sqrt(2 / (i + o)), bound: Math.sqrt(6 / (i + o)) })],
    ['he_normal', (i) => ({ std: Math.sqrt(2 / i), bound: (2 * Math.sqrt(2 / i)) / 0.8796 })],
    ['he_uniform', (i) => ({ std: Math.sqrt(2 / i), bound: Math.sqrt(6 / i) })],
  ];
  for (const [initializer, expected] of cases) {
    it(`${initializer} has the intended spread and bound`, () => {
      const values = Array.from(tf.tidy(() => initialWeights(tf, [200, 100], { initializer, initStd: 0.05 }, 3).dataSync()));
      const { std, bound } = expected(200, 100);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
      expect(sd / std).toBeGreaterThan(0.97);
      expect(sd / std).toBeLessThan(1.03);
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound * 1.0001);
    });
  }
});

describe('activation gradients from outputs', () => {
  const ACTIVATIONS: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu'];
  for (const activation of ACTIVATIONS) {
    it(`${activation} matches TF.js's gradient`, () => {
      tf.tidy(() => {
        const z = tf.tensor1d([-3, -1, -0.2, 0, 0.3, 1.5, 4]);
        const dy = tf.tensor1d([1, -2, 0.5, 1, 3, -1, 2]);
        const expected = tf.grad((x: Tensor) => tf.sum(tf.mul(activate(tf, x, activation), dy)))(z);
        const got = activationGradFromOutput(tf, dy, activate(tf, z, activation), activation);
        expect(same(got, expected)).toBeLessThan(1e-5);
      });
    });
  }
});
