import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { createModel } from '../../../src/task/models/model.js';
import type { Mlp } from '../../../src/task/models/mlp.js';
import { DeviceBatches, range, zeroColumns } from '../../../src/task/train/data.js';
import { FastMlp, fastPathApplies } from '../../../src/task/train/fast-mlp.js';
import { AutodiffRunner } from '../../../src/task/train/runner.js';
import type { Activation, LoadedDataset } from '../../../src/task/types.js';
import { blobs, cnn, mlp, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

/** Blobs whose features 2 and 7 are zero in every example. */
function withZeroColumns(): LoadedDataset {
  const data = blobs({ train: 12, validation: 4, dims: 10, classes: 3 });
  for (const set of [data.train, data.validation]) for (let i = 0; i < set.count; i++) set.x[i * 10 + 2] = set.x[i * 10 + 7] = 0;
  return data;
}

const diff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('fast MLP path', () => {
  it('applies to MLPs without batch norm only', () => {
    expect(fastPathApplies(mlp())).toBe(true);
    expect(fastPathApplies(mlp({ batchNorm: true }))).toBe(false);
    expect(fastPathApplies(cnn())).toBe(false);
  });

  const cases: { activation: Activation; dropout: number; hidden: number[] }[] = [
    { activation: 'relu', dropout: 0, hidden: [6, 5, 7] },
    { activation: 'relu', dropout: 0.3, hidden: [6, 5] },
    { activation: 'tanh', dropout: 0.3, hidden: [6, 5] },
    { activation: 'selu', dropout: 0, hidden: [6, 5] },
    { activation: 'sigmoid', dropout: 0, hidden: [6, 5] },
    { activation: 'leaky_relu', dropout: 0, hidden: [6, 5] },
    { activation: 'elu', dropout: 0.2, hidden: [6] },
  ];
  for (const { activation, dropout, hidden } of cases) {
    it(`gives autodiff's gradients and loss (${activation}, dropout ${dropout}, hidden ${hidden.join('-')})`, () => {
      const data = withZeroColumns();
      const columns = zeroColumns(data)!;
      expect(Array.from(columns.inactive)).toEqual([2, 7]);
      const spec = mlp({ activation, dropout, hidden, initializer: 'glorot_uniform' });
      // Two models from one seed: same weights, same dropout masks in the same order.
      const fastModel = createModel(tf, spec, data, 5) as Mlp;
      const autoModel = createModel(tf, spec, data, 5);
      const fast = new FastMlp(tf, fastModel, columns, { decay: true, maxNorm: false });
      const auto = new AutodiffRunner(tf, autoModel);
      const all = [range(12)];
      const fastData = new DeviceBatches(tf, data.train, 10, 3, all, { rows: true, columns: true, features: columns.active });
      const autoData = new DeviceBatches(tf, data.train, 10, 3, all, { rows: true, columns: false, features: null });
      tf.tidy(() => {
        const f = fast.step(fastData.get(0), 1);
        const a = auto.step(autoData.get(0), 1);
        expect(Math.abs(f.lossSum.dataSync()[0]! - a.lossSum.dataSync()[0]!)).toBeLessThan(1e-4);
        expect(f.correct.dataSync()[0]).toBe(a.correct.dataSync()[0]);
        a.correct.dispose();
        // fast: [first kernelᵀ (used columns), unused columns (no data gradient), first bias, then (kernel, bias) per layer]
        const [firstT, zero, ...rest] = f.grads;
        const [w1, ...autoRest] = a.grads as Tensor[];
        expect(zero).toBeNull();
        expect(diff(firstT!, tf.transpose(tf.gather(w1!, columns.active)))).toBeLessThan(1e-5);
        expect(diff(tf.gather(w1!, columns.inactive), tf.zeros([2, hidden[0]!]))).toBe(0);
        expect(rest).toHaveLength(autoRest.length);
        rest.forEach((g, i) => expect(diff(g!, autoRest[i]!)).toBeLessThan(1e-5));
        // And the evaluation forward pass gives the same logits.
        const evalData = fastData.get(0);
        expect(diff(fast.logits(evalData), autoModel.forward(autoData.get(0).x as Tensor2D, false))).toBeLessThan(1e-5);
      });
      [fastData, autoData, fast, auto, fastModel, autoModel].forEach((r) => r.dispose());
    });
  }

  it('scales every gradient by `scale` / batch size up front', () => {
    const data = blobs({ train: 8, validation: 4, classes: 3 });
    const model = createModel(tf, mlp(), data, 3) as Mlp;
    const fast = new FastMlp(tf, model, null, { decay: false, maxNorm: false });
    const batches = new DeviceBatches(tf, data.train, 10, 3, [range(8)], { rows: true, columns: true, features: null });
    tf.tidy(() => {
      const one = fast.step(batches.get(0), 1).grads;
      const tenth = fast.step(batches.get(0), 0.1).grads;
      one.forEach((g, i) => expect(diff(tf.mul(g!, 0.1), tenth[i]!)).toBeLessThan(1e-6));
    });
    [batches, fast, model].forEach((r) => r.dispose());
  });
});
