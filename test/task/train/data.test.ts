import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { DeviceBatches, epochOrder, planBatches, range, zeroColumns } from '../../../src/task/train/data.js';
import { blobs, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const rows = (t: Tensor) => t.arraySync() as number[][];

describe('batch plan', () => {
  it('cuts a seeded shuffle of every example into batches, the last one smaller', () => {
    const plan = planBatches(10, 4, 1);
    expect(plan.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(plan.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(planBatches(10, 4, 1)).toEqual(plan);
    expect(planBatches(10, 4, 2)).not.toEqual(plan);
  });

  it('visits the batches in a new seeded order each epoch', () => {
    const orders = [1, 2, 3].map((epoch) => epochOrder(8, 1, epoch));
    for (const order of orders) expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(orders.map((o) => o.join())).size).toBeGreaterThan(1);
    expect(epochOrder(8, 1, 2)).toEqual(orders[1]);
  });

  it('finds the features that are zero in every training and validation example', () => {
    const data = blobs({ train: 6, validation: 3, dims: 5 });
    expect(zeroColumns(data)).toBeNull();
    const sparse = blobs({ train: 6, validation: 3, dims: 5, seed: 'sparse' });
    for (const set of [sparse.train, sparse.validation]) for (let i = 0; i < set.count; i++) set.x[i * 5 + 1] = set.x[i * 5 + 3] = 0;
    sparse.validation.x[3] = 2; // feature 3 is used by one validation example
    expect(zeroColumns(sparse)).toEqual({ active: Int32Array.from([0, 2, 3, 4]), inactive: Int32Array.from([1]) });
  });
});

describe('DeviceBatches', () => {
  const data = blobs({ train: 7, validation: 2, dims: 4, classes: 3 });
  const groups = [Int32Array.from([5, 0, 2]), Int32Array.from([6])];
  const layouts = { rows: true, columns: true, features: Int32Array.from([3, 1]) };

  it('holds rows, transposed columns, one-hot and labels of the chosen examples and features', () => {
    const before = tf.memory().numTensors;
    const batches = new DeviceBatches(tf, data.train, 4, 3, groups, layouts);
    const batch = batches.get(0);
    const x = data.train.x;
    expect(batch.size).toBe(3);
    expect(rows(batch.x!)).toEqual([5, 0, 2].map((i) => [x[i * 4 + 3], x[i * 4 + 1]]));
    expect(rows(batch.xT!)).toEqual([3, 1].map((j) => [5, 0, 2].map((i) => x[i * 4 + j])));
    expect(Array.from(batch.labels.dataSync())).toEqual([5, 0, 2].map((i) => data.train.y[i]));
    expect(rows(batch.oneHot)).toEqual([5, 0, 2].map((i) => [0, 1, 2].map((c) => (c === data.train.y[i] ? 1 : 0))));
    batches.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('builds the same tensors per call above the resident limit, owned by the caller’s tidy', () => {
    const resident = new DeviceBatches(tf, data.train, 4, 3, groups, layouts);
    const before = tf.memory().numTensors;
    const streamed = new DeviceBatches(tf, data.train, 4, 3, groups, layouts, 0);
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      for (const g of [0, 1]) {
        const [a, b] = [resident.get(g), streamed.get(g)];
        expect(rows(b.x!)).toEqual(rows(a.x!));
        expect(rows(b.xT!)).toEqual(rows(a.xT!));
        expect(rows(b.oneHot)).toEqual(rows(a.oneHot));
      }
    });
    expect(tf.memory().numTensors).toBe(before);
    resident.dispose();
  });

  it('refuses labels outside the classes', () => {
    const bad = { ...data.train, y: Int32Array.from(data.train.y, (v, i) => (i === 4 ? 3 : v)) };
    expect(() => new DeviceBatches(tf, bad, 4, 3, [range(7)], layouts)).toThrow(/example 4 has label 3/);
  });
});
