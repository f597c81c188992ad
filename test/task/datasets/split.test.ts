import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../../src/task/datasets/index.js';
import { useTempDir } from '../../helpers/temp.js';
import { expectDataError, indices, spec, writeIdxPair } from './helpers.js';

const tempDir = useTempDir();
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);

function idxSource(count: number): { type: 'idx'; images: string; labels: string } {
  return { type: 'idx', ...writeIdxPair(tempDir(), count) };
}

describe('loadDataset split', () => {
  it('without shuffle: the first 20% of the first trainSamples is validation, the rest training', async () => {
    const data = await loadDataset(spec(idxSource(30), { trainSamples: 20, shuffle: false, scale: false }), 1);
    expect(indices(data.validation.x, 6)).toEqual(range(0, 4));
    expect(indices(data.train.x, 6)).toEqual(range(4, 20));
    expect(Array.from(data.train.y)).toEqual(range(4, 20).map((i) => i % 3));
    expect(data).toMatchObject({ features: 6, imageShape: [2, 3, 1], classes: 3 });
    expect(data.train.count).toBe(16);
    expect(data.validation.count).toBe(4);
  });

  it('with shuffle: splits a seeded permutation of exactly the first trainSamples examples', async () => {
    const source = idxSource(50);
    const a = await loadDataset(spec(source, { trainSamples: 40, scale: false }), 7);
    const b = await loadDataset(spec(source, { trainSamples: 40, scale: false }), 7);
    const c = await loadDataset(spec(source, { trainSamples: 40, scale: false }), 8);
    const order = (d: typeof a): number[] => [...indices(d.validation.x, 6), ...indices(d.train.x, 6)];
    expect(sorted(order(a))).toEqual(range(0, 40));
    expect(order(a)).not.toEqual(range(0, 40));
    expect(order(b)).toEqual(order(a));
    expect(b.train.x).toEqual(a.train.x);
    expect(order(c)).not.toEqual(order(a));
    // Labels travel with their pixels.
    expect(Array.from(a.train.y)).toEqual(indices(a.train.x, 6).map((i) => i % 3));
  });

  it('holds out validationSamples or validationSplit (rounded)', async () => {
    const source = idxSource(100);
    expect((await loadDataset(spec(source, { validationSamples: 13 }), 1)).validation.count).toBe(13);
    const split = await loadDataset(spec(source, { trainSamples: 100, validationSplit: 0.29 }), 1);
    expect([split.validation.count, split.train.count]).toEqual([29, 71]);
  });

  it('scales by 1/255 only when asked', async () => {
    const source = idxSource(10);
    const scaled = await loadDataset(spec(source, { shuffle: false }), 1);
    expect(Array.from(scaled.train.x.subarray(1, 6))).toEqual([10, 20, 30, 40, 255].map((v) => Math.fround(v / 255)));
    const raw = await loadDataset(spec(source, { shuffle: false, scale: false }), 1);
    expect(Array.from(raw.train.x.subarray(1, 6))).toEqual([10, 20, 30, 40, 255]);
  });

  it('rejects settings that cannot be honoured, naming the setting', async () => {
    const source = idxSource(10);
    await expectDataError(loadDataset(spec(source, { trainSamples: 11 }), 1), 'train_samples is 11 but', 'has 10 training examples');
    await expectDataError(loadDataset(spec(source, { trainSamples: 0 }), 1), 'train_samples must be a positive integer, got 0');
    await expectDataError(loadDataset(spec(source, { validationSamples: 2.5 }), 1), 'validation_samples must be a positive integer');
    await expectDataError(loadDataset(spec(source, { validationSamples: 10 }), 1), 'leaves none to train on');
    await expectDataError(loadDataset(spec(source, { validationSplit: 1 }), 1), 'validation_split must be between 0 and 1');
    await expectDataError(loadDataset(spec(source, { trainSamples: 2, validationSplit: 0.1 }), 1), 'leaves no validation example');
    await expectDataError(loadDataset(spec(source, { validationSamples: 2, validationSplit: 0.5 }), 1), 'not both');
    await expectDataError(loadDataset(spec(source, { useTestSet: true }), 1), 'has no test set; give the dataset a test entry');
    await expectDataError(loadDataset(spec(source, { useTestSet: true, validationSplit: 0.2 }), 1), 'no effect with use_test_set');
  });
});
