import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { HpsearchError } from '../../../src/errors.js';
import { encodeIdx } from '../../../src/task/datasets/index.js';
import type { DatasetSource, DatasetSpec } from '../../../src/task/types.js';

export function spec(source: DatasetSource, overrides: Partial<DatasetSpec> = {}): DatasetSpec {
  return { source, useTestSet: false, scale: true, shuffle: true, ...overrides };
}

/**
 * `count` 2×3 images whose first pixel is their index (so a test can tell which example went
 * where) and whose label is index % classes.
 */
export function writeIdxPair(dir: string, count: number, classes = 3): { images: string; labels: string } {
  const pixels = new Uint8Array(count * 6);
  for (let i = 0; i < count; i++) pixels.set([i, 10, 20, 30, 40, 255], i * 6);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const paths = { images: join(dir, 'images.idx'), labels: join(dir, 'labels.idx') };
  writeFileSync(paths.images, encodeIdx([count, 2, 3], pixels));
  writeFileSync(paths.labels, encodeIdx([count], labels));
  return paths;
}

/** The index each example was made from (its first pixel, see writeIdxPair; unscaled). */
export function indices(x: Float32Array, features: number, scale = 1): number[] {
  return Array.from({ length: x.length / features }, (_, i) => Math.round(x[i * features]! * scale));
}

export async function expectDataError(promise: Promise<unknown>, ...fragments: (string | RegExp)[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HpsearchError);
  expect((error as HpsearchError).code).toBe('E_VALIDATION');
  for (const fragment of fragments) expect((error as HpsearchError).message).toMatch(fragment);
}

/** A typed array's bytes as a short hex digest: vitest's toEqual on millions of elements takes seconds. */
export function digest(values: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex').slice(0, 16);
}
