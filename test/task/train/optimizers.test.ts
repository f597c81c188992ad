import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { variableOf } from '../../../src/task/models/initializers.js';
import { ADAGRAD_INITIAL_ACCUMULATOR, createOptimizer } from '../../../src/task/train/optimizers.js';
import type { OptimizerName } from '../../../src/task/types.js';
import { blobs, mlp, run, trainSpec, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const settings = { learningRate: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, epsilon: 1e-7 };

/** Keras' rules in plain numbers, for one weight with a constant data gradient g (plus λ·w with decay). */
function reference(name: OptimizerName, w0: number, data: number, steps: number, lambda = 0): number {
  const { learningRate: lr, momentum: m, beta1, beta2, rho, epsilon } = settings;
  let w = w0;
  let v = 0;
  let a = name === 'adagrad' ? ADAGRAD_INITIAL_ACCUMULATOR : 0;
  let mean = 0;
  for (let t = 1; t <= steps; t++) {
    const g = data + lambda * w;
    switch (name) {
      case 'sgd':
        w -= lr * g;
        break;
      case 'momentum':
        v = m * v - lr * g;
        w += v;
        break;
      case 'nesterov':
        v = m * v - lr * g;
        w += m * v - lr * g;
        break;
      case 'adagrad':
        a += g * g;
        w -= (lr * g) / (Math.sqrt(a) + epsilon);
        break;
      case 'rmsprop':
        a = rho * a + (1 - rho) * g * g;
        w -= (lr * g) / (Math.sqrt(a) + epsilon);
        break;
      case 'adam':
        mean = beta1 * mean + (1 - beta1) * g;
        a = beta2 * a + (1 - beta2) * g * g;
        w -= ((lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t)) * (mean / (Math.sqrt(a) + epsilon));
        break;
    }
  }
  return w;
}

const NAMES: OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

describe('optimizers', () => {
  for (const name of NAMES) {
    it(`${name} follows Keras' update rule`, () => {
      const before = tf.memory().numTensors;
      const optimizer = createOptimizer(tf, { optimizer: name, ...settings });
      const w = variableOf(tf, () => tf.tensor1d([1, -2]));
      const g = [0.5, -0.25];
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => {
          // sgd takes gradients already multiplied by the learning rate.
          const grad = tf.tensor1d(optimizer.takesScaledGradients ? g.map((x) => x * settings.learningRate) : g);
          optimizer.apply([w], [grad]);
        });
      }
      const got = Array.from(w.dataSync());
      expect(got[0]).toBeCloseTo(reference(name, 1, 0.5, 3), 5);
      expect(got[1]).toBeCloseTo(reference(name, -2, -0.25, 3), 5);
      expect(optimizer.takesScaledGradients).toBe(name === 'sgd');
      w.dispose();
      optimizer.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  for (const name of NAMES) {
    it(`${name} adds weight decay's gradient λ·w (sgd folds it into the update)`, () => {
      const optimizer = createOptimizer(tf, { optimizer: name, ...settings });
      const w = variableOf(tf, () => tf.tensor1d([1, -2]));
      const lambda = 0.5;
      // sgd's gradients and decay rate carry the learning rate; the others' do not.
      const scale = optimizer.takesScaledGradients ? settings.learningRate : 1;
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => optimizer.apply([w], [tf.tensor1d([0.5 * scale, -0.25 * scale])], { rate: lambda * scale, weights: new Set([w]) }));
      }
      const got = Array.from(w.dataSync());
      expect(got[0]).toBeCloseTo(reference(name, 1, 0.5, 3, lambda), 5);
      expect(got[1]).toBeCloseTo(reference(name, -2, -0.25, 3, lambda), 5);
      w.dispose();
      optimizer.dispose();
    });
  }

  const rates: Record<OptimizerName, number> = { sgd: 0.05, momentum: 0.01, nesterov: 0.01, adagrad: 0.05, rmsprop: 0.003, adam: 0.003 };
  for (const name of NAMES) {
    it(`${name} lowers the training loss`, async () => {
      const { outcome, epochs } = await run(tf, mlp(), trainSpec({ optimizer: name, learningRate: rates[name], epochs: 6 }), blobs({ spread: 2 }));
      expect(outcome.status).toBe('complete');
      expect(epochs[epochs.length - 1]!.train_loss).toBeLessThan(0.8 * epochs[0]!.train_loss);
    });
  }
});
