import { beforeAll, describe, expect, it } from 'vitest';
import { HpsearchError } from '../../../src/errors.js';
import type { Tf } from '../../../src/task/tf.js';
import { createModel } from '../../../src/task/models/model.js';
import { trainModel } from '../../../src/task/train/train-loop.js';
import type { LoadedDataset } from '../../../src/task/types.js';
import { blobs, mlp, run, trainSpec, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

describe('trainModel', () => {
  it('gives identical metrics for the same seed and different ones for another', async () => {
    const data = blobs();
    const spec = mlp({ dropout: 0.2 });
    const train = trainSpec({ epochs: 3 });
    const a = await run(tf, spec, train, data, 11);
    const b = await run(tf, spec, train, data, 11);
    const c = await run(tf, spec, train, data, 12);
    expect(a.epochs).toHaveLength(3);
    expect(b.epochs).toEqual(a.epochs);
    expect(c.epochs[0]!.train_loss).not.toBe(a.epochs[0]!.train_loss);
    expect(a.outcome).toEqual({ status: 'complete', last: a.epochs[2], epochs: 3 });
  });

  for (const batchNorm of [false, true]) {
    it(`adds exactly 0.5·λ·Σ‖W‖² to the loss (${batchNorm ? 'batch norm, autodiff' : 'fast path'})`, async () => {
      const data = blobs();
      // A feature that is zero everywhere: the fast path keeps its weights apart, yet they count.
      for (const set of [data.train, data.validation]) for (let i = 0; i < set.count; i++) set.x[i * 10 + 4] = 0;
      const spec = mlp({ batchNorm });
      const lambda = 0.1;
      // One full-batch step with a negligible rate: the epoch's training loss is the loss at init.
      const train = trainSpec({ epochs: 1, batchSize: data.train.count, learningRate: 1e-12 });
      const plain = await run(tf, spec, train, data, 3);
      const decayed = await run(tf, spec, { ...train, weightDecay: lambda }, data, 3);
      const model = createModel(tf, spec, data, 3);
      const squares = model.weights().reduce((sum, w) => sum + tf.tidy(() => tf.sum(tf.square(w)).dataSync()[0]!), 0);
      model.dispose();
      const penalty = 0.5 * lambda * squares;
      expect(penalty).toBeGreaterThan(0.1);
      expect(decayed.epochs[0]!.train_loss - plain.epochs[0]!.train_loss).toBeCloseTo(penalty, 4);
      expect(decayed.epochs[0]!.val_loss - plain.epochs[0]!.val_loss).toBeCloseTo(penalty, 4);
    });
  }

  for (const clipValue of [null, 1e6]) {
    it(`shrinks the weights by weight decay each step (${clipValue === null ? 'folded into sgd' : 'through clipping'})`, async () => {
      // All-zero inputs: the hidden layers output relu(0) = 0, so only the output bias learns from
      // the data, identically with and without decay, and every kernel just decays: W·(1 − lr·λ)^steps.
      const data = blobs();
      for (const set of [data.train, data.validation]) set.x.fill(0);
      const lr = 0.1;
      const lambda = 0.5;
      const train = trainSpec({ epochs: 2, batchSize: 40, learningRate: lr, clipValue });
      const plain = await run(tf, mlp(), train, data, 4);
      const decayed = await run(tf, mlp(), { ...train, weightDecay: lambda }, data, 4);
      const model = createModel(tf, mlp(), data, 4);
      const squares = model.weights().reduce((sum, w) => sum + tf.tidy(() => tf.sum(tf.square(w)).dataSync()[0]!), 0);
      model.dispose();
      const steps = 2 * (data.train.count / 40);
      const penalty = 0.5 * lambda * squares * (1 - lr * lambda) ** (2 * steps);
      expect(decayed.epochs[1]!.val_loss - plain.epochs[1]!.val_loss).toBeCloseTo(penalty, 4);
    });
  }

  it('reports a huge learning rate as diverged, the bad epoch reported with its non-finite loss, without leaking', async () => {
    const before = tf.memory().numTensors;
    const { outcome, epochs } = await run(tf, mlp(), trainSpec({ learningRate: 1e6, epochs: 20 }), blobs());
    expect(outcome.status).toBe('diverged');
    if (outcome.status !== 'diverged') return;
    expect(outcome.reason).toMatch(/loss became (NaN|infinite) in epoch \d+/);
    expect(epochs).toHaveLength(outcome.epoch);
    const bad = epochs.at(-1)!;
    expect(Number.isFinite(bad.train_loss) && Number.isFinite(bad.val_loss)).toBe(false);
    expect(epochs.slice(0, -1).every((m) => Number.isFinite(m.train_loss))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops after the epoch whose onEpoch resolves to true, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const outcome = await trainModel(tf, { model: mlp(), train: trainSpec({ epochs: 6 }) }, blobs(), {
      seed: 1,
      onEpoch: async (epoch) => {
        seen.push(epoch);
        return epoch === 3;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(outcome).toMatchObject({ status: 'stopped', epoch: 3 });
    if (outcome.status === 'stopped') expect(Number.isFinite(outcome.last.val_accuracy)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  const variants = {
    'fast path with decay, clipping and max-norm': { model: mlp(), train: trainSpec({ weightDecay: 1e-3, clipNorm: 5, maxNorm: 3, optimizer: 'adam', learningRate: 0.01 }) },
    'batch norm and dropout (autodiff)': { model: mlp({ batchNorm: true, dropout: 0.2 }), train: trainSpec({ optimizer: 'momentum', learningRate: 0.02 }) },
  } as const;
  for (const [name, { model, train }] of Object.entries(variants)) {
    it(`trains and frees every tensor: ${name}`, async () => {
      const data = blobs();
      // Pixels that are zero everywhere take the fast path's split first layer.
      for (const set of [data.train, data.validation]) for (let i = 0; i < set.count; i++) set.x[i * 10] = 0;
      const before = tf.memory().numTensors;
      const { outcome, epochs } = await run(tf, model, { ...train, epochs: 6 }, data);
      expect(outcome.status).toBe('complete');
      expect(epochs[5]!.train_loss).toBeLessThan(0.8 * epochs[0]!.train_loss);
      expect(epochs[5]!.val_accuracy).toBeGreaterThan(0.5);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('frees every tensor when onEpoch throws, and rethrows', async () => {
    const before = tf.memory().numTensors;
    const stop = new Error('pruned');
    const training = trainModel(tf, { model: mlp(), train: trainSpec() }, blobs(), {
      seed: 1,
      onEpoch: (epoch) => {
        if (epoch === 2) throw stop;
      },
    });
    await expect(training).rejects.toBe(stop);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps a last, smaller batch and averages over every example', async () => {
    const data = blobs({ train: 50 });
    const { epochs } = await run(tf, mlp(), trainSpec({ batchSize: 16, epochs: 2 }), data);
    for (const m of epochs) {
      expect(Number.isFinite(m.train_loss)).toBe(true);
      // 50 examples: accuracy is a multiple of 1/50.
      expect(Math.abs(m.train_accuracy * 50 - Math.round(m.train_accuracy * 50))).toBeLessThan(1e-9);
    }
  });

  it('refuses an empty validation set with E_USAGE', async () => {
    const data: LoadedDataset = { ...blobs(), validation: { x: new Float32Array(0), y: new Int32Array(0), count: 0 } };
    const error = await trainModel(tf, { model: mlp(), train: trainSpec() }, data, { seed: 1, onEpoch: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HpsearchError);
    expect((error as HpsearchError).code).toBe('E_USAGE');
    expect((error as HpsearchError).message).toMatch(/validation set is empty/);
  });
});
