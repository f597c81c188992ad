import { describe, expect, it } from 'vitest';
import { loadDataset, mnistFiles, readIdx, type RawExamples } from '../../../src/task/datasets/index.js';
import type { Examples } from '../../../src/task/types.js';
import { digest, expectDataError, spec } from './helpers.js';

const mnist = { type: 'builtin', name: 'mnist' } as const;
const files = mnistFiles();

function range(x: Float32Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of x) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return [min, max];
}

/** Each example's pixels as a string, to compare examples across arrays. */
function rows(examples: Examples | RawExamples, scale = 1): string[] {
  return Array.from({ length: examples.count }, (_, i) =>
    Array.from(examples.x.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * scale)).join(','),
  );
}

describe('mnist', () => {
  it('first 500 → 400 train / 100 validation, 28×28×1 in [0, 1], labels 0..9', async () => {
    const started = performance.now();
    const data = await loadDataset(spec(mnist, { trainSamples: 500 }), 42);
    console.log(`mnist, 500 examples: ${(performance.now() - started).toFixed(0)} ms`);
    expect(data).toMatchObject({ features: 784, imageShape: [28, 28, 1], classes: 10 });
    expect([data.train.count, data.validation.count]).toEqual([400, 100]);
    expect(data.train.x.length).toBe(400 * 784);
    expect(data.validation.x.length).toBe(100 * 784);
    expect(range(data.train.x)).toEqual([0, 1]);
    const labels = [...data.validation.y, ...data.train.y];
    expect(new Set(labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));

    // The 500 are exactly the file's first 500, labels travelling with their images.
    const head = await readIdx(files.trainImages, { maxItems: 500 });
    const headLabels = (await readIdx(files.trainLabels)).data.subarray(0, 500);
    const fileRows = Array.from({ length: 500 }, (_, i) => {
      const pixels = Array.from(head.data.subarray(i * 784, (i + 1) * 784));
      return `${pixels.join(',')}:${headLabels[i]}`;
    });
    const loaded = [...rows(data.validation, 255), ...rows(data.train, 255)].map((row, i) => `${row}:${labels[i]}`);
    expect(loaded.sort()).toEqual([...fileRows].sort());
  });

  it('reads only the images it uses', async () => {
    expect((await readIdx(files.trainImages, { maxItems: 500 })).data.length).toBe(500 * 784);
  });

  it('is deterministic per seed and shuffled differently for another seed', async () => {
    const a = await loadDataset(spec(mnist, { trainSamples: 500 }), 1);
    const b = await loadDataset(spec(mnist, { trainSamples: 500 }), 1);
    const c = await loadDataset(spec(mnist, { trainSamples: 500 }), 2);
    expect(digest(b.train.x)).toBe(digest(a.train.x));
    expect(digest(b.validation.y)).toBe(digest(a.validation.y));
    expect(digest(c.train.y)).not.toBe(digest(a.train.y));
    expect(new Set(rows(c.validation))).not.toEqual(new Set(rows(a.validation)));
  });

  it('validates on the 10,000 test examples with useTestSet, or on the first validationSamples of them', async () => {
    const testLabels = (await readIdx(files.testLabels)).data;
    const all = await loadDataset(spec(mnist, { trainSamples: 500, useTestSet: true }), 1);
    expect([all.train.count, all.validation.count]).toEqual([500, 10_000]);
    expect(digest(all.validation.y)).toBe(digest(Int32Array.from(testLabels)));
    const some = await loadDataset(spec(mnist, { trainSamples: 500, useTestSet: true, validationSamples: 1000 }), 1);
    expect([some.train.count, some.validation.count]).toEqual([500, 1000]);
    expect(digest(some.validation.x)).toBe(digest(all.validation.x.subarray(0, 1000 * 784)));
    await expectDataError(loadDataset(spec(mnist, { useTestSet: true, validationSamples: 10_001 }), 1), 'mnist has 10000 test examples');
    await expectDataError(loadDataset(spec(mnist, { trainSamples: 60_001 }), 1), 'mnist has 60000 training examples');
  });
});
