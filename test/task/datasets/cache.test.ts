import { renameSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clearDatasetCache, datasetCacheKey, loadDatasetCached } from '../../../src/task/datasets/index.js';
import type { DatasetSpec } from '../../../src/task/types.js';
import { useTempDir } from '../../helpers/temp.js';
import { expectDataError, spec, writeIdxPair } from './helpers.js';

const tempDir = useTempDir();

describe('datasetCacheKey', () => {
  it('ignores key order and undefined fields, and tells specs and seeds apart', () => {
    const a = spec({ type: 'idx', images: '/a', labels: '/b' }, { trainSamples: 10 });
    const reordered: DatasetSpec = {
      shuffle: true,
      scale: true,
      useTestSet: false,
      trainSamples: 10,
      validationSamples: undefined,
      source: { labels: '/b', images: '/a', type: 'idx' },
    };
    expect(datasetCacheKey(reordered, 1)).toBe(datasetCacheKey(a, 1));
    expect(datasetCacheKey(a, 2)).not.toBe(datasetCacheKey(a, 1));
    expect(datasetCacheKey({ ...a, trainSamples: 11 }, 1)).not.toBe(datasetCacheKey(a, 1));
  });
});

describe('loadDatasetCached', () => {
  it('returns the same object for the same key, and a new one after clearDatasetCache', async () => {
    const source = { type: 'idx' as const, ...writeIdxPair(tempDir(), 10) };
    const [first, concurrent] = await Promise.all([loadDatasetCached(spec(source), 1), loadDatasetCached(spec(source), 1)]);
    expect(concurrent).toBe(first);
    expect(await loadDatasetCached(spec(source), 1)).toBe(first);
    expect(await loadDatasetCached(spec(source), 2)).not.toBe(first);
    clearDatasetCache();
    const reloaded = await loadDatasetCached(spec(source), 1);
    expect(reloaded).not.toBe(first);
    expect(reloaded).toEqual(first);
  });

  it('does not keep a failed load', async () => {
    const dir = tempDir();
    const { images, labels } = writeIdxPair(dir, 10);
    const moved = `${images}.moved`;
    renameSync(images, moved);
    const failing = spec({ type: 'idx', images, labels });
    await expectDataError(loadDatasetCached(failing, 1), images, 'not found');
    renameSync(moved, images);
    expect((await loadDatasetCached(failing, 1)).train.count).toBe(8);
  });
});
