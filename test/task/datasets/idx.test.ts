import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, loadDataset, openSource, readIdx, readIdxHeader, readIdxPair, testExamples } from '../../../src/task/datasets/index.js';
import { useTempDir } from '../../helpers/temp.js';
import { expectDataError, spec, writeIdxPair } from './helpers.js';

const tempDir = useTempDir();

function write(bytes: Uint8Array | number[], name = 'file.idx'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, Uint8Array.from(bytes));
  return file;
}

describe('readIdx', () => {
  it('round-trips what encodeIdx wrote, dims big-endian', async () => {
    const data = Uint8Array.from({ length: 2 * 300 * 2 }, (_, i) => (i * 7) % 256);
    const bytes = encodeIdx([2, 300, 2], data);
    // 300 = 0x0000012c, big-endian.
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 1, 0x2c]);
    const file = write(bytes);
    expect(await readIdx(file)).toEqual({ dims: [2, 300, 2], data });
    expect(await readIdxHeader(file)).toEqual({ dims: [2, 300, 2], dataOffset: 16 });
  });

  it('reads only the first maxItems items', async () => {
    const data = Uint8Array.from({ length: 5 * 4 }, (_, i) => i);
    const file = write(encodeIdx([5, 4], data));
    expect(await readIdx(file, { maxItems: 2 })).toEqual({ dims: [2, 4], data: data.subarray(0, 8) });
    expect((await readIdx(file, { maxItems: 99 })).dims).toEqual([5, 4]);
  });

  it('names the file when it is missing', async () => {
    const file = join(tempDir(), 'nope.idx');
    await expectDataError(readIdx(file), file, 'not found');
  });

  it('rejects a bad magic number', async () => {
    const file = write([1, 2, 8, 1, 0, 0, 0, 0]);
    await expectDataError(readIdx(file), file, 'bad magic number 0x01020801');
  });

  it('says to unpack a gzip-compressed file', async () => {
    const file = write(gzipSync(encodeIdx([1], Uint8Array.of(3))));
    await expectDataError(readIdx(file), file, 'gzip');
  });

  it('rejects dtypes other than unsigned byte', async () => {
    const file = write([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    await expectDataError(readIdx(file), file, 'unsupported IDX dtype 0x0d (float32)');
  });

  it('rejects truncated headers, truncated data and trailing bytes', async () => {
    await expectDataError(readIdx(write([0, 0])), 'too short');
    await expectDataError(readIdx(write([0, 0, 8, 3, 0, 0, 0, 1])), 'truncated IDX header: rank 3 needs 16 bytes, file has 8');
    const full = encodeIdx([3, 2], Uint8Array.of(1, 2, 3, 4, 5, 6));
    const truncated = write(full.subarray(0, full.length - 1), 'truncated.idx');
    await expectDataError(readIdx(truncated), truncated, 'truncated IDX data: dims [3, 2] need 18 bytes, file has 17');
    await expectDataError(readIdx(write([...full, 0], 'long.idx')), 'long.idx', '1 bytes after the data');
  });
});

describe('readIdxPair', () => {
  it('gives uint8 pixels, int labels, the image shape and the class count', async () => {
    const { images, labels } = writeIdxPair(tempDir(), 10, 4);
    const pair = await readIdxPair(images, labels, { maxItems: 6 });
    expect(pair.count).toBe(6);
    expect(pair.x).toBeInstanceOf(Uint8Array);
    expect(pair.x.length).toBe(36);
    expect(Array.from(pair.x.subarray(6, 12))).toEqual([1, 10, 20, 30, 40, 255]);
    expect(Array.from(pair.y)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(pair.features).toBe(6);
    expect(pair.imageShape).toEqual([2, 3, 1]);
    // From the whole labels file, not the 6 read.
    expect(pair.classes).toBe(4);
  });

  it('rejects images and labels of different counts, naming both files', async () => {
    const dir = tempDir();
    const { images } = writeIdxPair(dir, 4);
    const labels = join(dir, 'short-labels.idx');
    writeFileSync(labels, encodeIdx([3], Uint8Array.of(0, 1, 2)));
    await expectDataError(readIdxPair(images, labels), images, labels, 'has 4 images but labels file');
  });

  it('rejects swapped files', async () => {
    const { images, labels } = writeIdxPair(tempDir(), 4);
    await expectDataError(readIdxPair(labels, images), 'must have rank');
  });
});

describe('an IDX test entry', () => {
  function pair(name: string, dims: number[], labels: number[]): { images: string; labels: string } {
    const paths = { images: join(tempDir(), `${name}-images.idx`), labels: join(tempDir(), `${name}-labels.idx`) };
    const size = dims.reduce((a, b) => a * b, 1);
    writeFileSync(paths.images, encodeIdx(dims, Uint8Array.from({ length: size }, (_, i) => (i * 13) % 256)));
    writeFileSync(paths.labels, encodeIdx([labels.length], Uint8Array.from(labels)));
    return paths;
  }

  it('is the test set the validation split can be, and what testExamples gives whole', async () => {
    const train = writeIdxPair(tempDir(), 12);
    const test = pair('test', [4, 2, 3], [2, 0, 1, 1]);
    const source = { type: 'idx', ...train, test } as const;
    const data = await loadDataset(spec(source, { useTestSet: true, validationSamples: 3 }), 1);
    expect(data.validation.count).toBe(3);
    expect(Array.from(data.validation.y)).toEqual([2, 0, 1]);
    const all = await testExamples(await openSource(source), spec(source));
    expect(all!.count).toBe(4);
    expect(all!.x[1]).toBeCloseTo(13 / 255, 6);
    expect(await testExamples(await openSource({ type: 'idx', ...train }), spec(source))).toBeNull();
  });

  it('must hold items of the training images\' shape and only their classes', async () => {
    const train = writeIdxPair(tempDir(), 12);
    const wrong = pair('wrong', [4, 3, 2], [0, 0, 1, 1]);
    await expectDataError(openSource({ type: 'idx', ...train, test: wrong }), wrong.images, 'test images are [3, 2] each, the training images [2, 3]');
    const extra = pair('extra', [2, 2, 3], [0, 5]);
    await expectDataError(openSource({ type: 'idx', ...train, test: extra }), extra.labels, 'has label 5, but the training labels have only the 3 classes 0..2');
    const short = { images: pair('short', [3, 2, 3], [0, 1, 2]).images, labels: pair('other', [2, 2, 3], [0, 1]).labels };
    await expectDataError(openSource({ type: 'idx', ...train, test: short }), 'has 3 images but labels file');
  });
});
