import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, loadFashionMnistSplit, parseClassJson, type RawExamples } from '../../../src/task/datasets/index.js';
import { digest, spec } from './helpers.js';

const clothes = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
let split: { train: RawExamples; test: RawExamples };

beforeAll(async () => {
  const started = performance.now();
  split = await loadFashionMnistSplit();
  console.log(`fashion-mnist, all 70,000 images parsed and split: ${(performance.now() - started).toFixed(0)} ms`);
});

function perClass(y: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of y) counts[label]!++;
  return counts;
}

function rowHashes(x: Uint8Array | Float32Array, rows: number[]): string[] {
  return rows.map((row) => createHash('sha1').update(x.subarray(row * 784, (row + 1) * 784)).digest('hex')).sort();
}

const rowsOf = (examples: RawExamples, label: number): number[] =>
  Array.from(examples.y.keys()).filter((i) => examples.y[i] === label);

describe('fashion-mnist split', () => {
  it('is 60,000 train / 10,000 test, stratified 6,000 / 1,000 per class, uint8 pixels', () => {
    expect([split.train.count, split.test.count]).toEqual([60_000, 10_000]);
    expect(split.train.x).toBeInstanceOf(Uint8Array);
    expect(split.train.x.length).toBe(60_000 * 784);
    expect(perClass(split.train.y)).toEqual(new Array(10).fill(6000));
    expect(perClass(split.test.y)).toEqual(new Array(10).fill(1000));
    // Classes are mixed, so a study's first 500 examples hold every class.
    expect(new Set(split.train.y.subarray(0, 100)).size).toBe(10);
  });

  it('never changes (pinned digests), and is parsed once per process', async () => {
    expect({
      train: digest(split.train.x.subarray(0, 5 * 784)),
      trainLabels: digest(split.train.y.subarray(0, 100)),
      test: digest(split.test.x.subarray(0, 5 * 784)),
      testLabels: digest(split.test.y.subarray(0, 100)),
    }).toEqual(PINNED);
    expect((await loadFashionMnistSplit()).train).toBe(split.train);
  });

  it("partitions each class file's rows between train and test", () => {
    const label = 5;
    const { pixels, count } = parseClassJson(readFileSync(join(clothes, `${label}.json`)), `${label}.json`);
    const fileHashes = rowHashes(pixels, Array.from({ length: count }, (_, i) => i));
    const splitHashes = [...rowHashes(split.train.x, rowsOf(split.train, label)), ...rowHashes(split.test.x, rowsOf(split.test, label))];
    expect(splitHashes.sort()).toEqual(fileHashes);
  });

  it('loads through loadDataset like mnist', async () => {
    const data = await loadDataset(spec({ type: 'builtin', name: 'fashion-mnist' }, { trainSamples: 500 }), 3);
    expect(data).toMatchObject({ features: 784, imageShape: [28, 28, 1], classes: 10 });
    expect([data.train.count, data.validation.count]).toEqual([400, 100]);
    expect(data.train.x.reduce((max, v) => Math.max(max, v), 0)).toBe(1);
    const test = await loadDataset(spec({ type: 'builtin', name: 'fashion-mnist' }, { trainSamples: 500, useTestSet: true }), 3);
    expect(test.validation.count).toBe(10_000);
    expect(digest(test.validation.y)).toBe(digest(split.test.y));
  });
});

describe('parseClassJson', () => {
  it('gives the same pixels as JSON.parse, skipping empty rows', () => {
    const file = join(clothes, '0.json');
    const bytes = readFileSync(file);
    const json = (JSON.parse(bytes.toString('utf8')) as { data: number[][] }).data.filter((row) => row.length > 0);
    const { pixels, count } = parseClassJson(bytes, file);
    expect(count).toBe(7000);
    expect(json.length).toBe(7000);
    const expected = new Uint8Array(json.length * 784);
    json.forEach((row, i) => expected.set(row, i * 784));
    expect(digest(pixels)).toBe(digest(expected));
  });

  const row = Array.from({ length: 784 }, (_, i) => i % 256);

  it('accepts any JSON whitespace', () => {
    const text = JSON.stringify({ data: [row, [], row.map((v) => 255 - v)] }, null, 2);
    const { pixels, count } = parseClassJson(Buffer.from(text), 'x.json');
    expect(count).toBe(2);
    expect(Array.from(pixels.subarray(784, 790))).toEqual([255, 254, 253, 252, 251, 250]);
  });

  it.each([
    ['no "data" key', '[[1]]', 'at byte 0: expected {"data": [...]}'],
    ['a short row', '{"data":[[1,2]]}', 'expected 784 pixels per row, found 2'],
    ['a long row', `{"data":[[${[...row, 1].join(',')}]]}`, 'expected at most 784 pixels per row'],
    ['a pixel over 255', `{"data":[[256${',0'.repeat(783)}]]}`, 'at byte 10: expected an integer pixel value 0..255'],
    ['a fraction', `{"data":[[1.5${',0'.repeat(783)}]]}`, 'at byte 11: expected "," or "]" in a row'],
    ['a trailing comma', '{"data":[[],]}', 'expected "[" to open a row'],
    ['a missing comma', '{"data":[[] []]}', 'expected "," or "]" between rows'],
    ['a missing brace', '{"data":[]', 'expected "}"'],
    ['trailing text', '{"data":[]} x', 'at byte 12: expected end of file'],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseClassJson(Buffer.from(text), 'bad.json')).toThrow('bad.json: malformed fashion-mnist JSON at byte ');
    expect(() => parseClassJson(Buffer.from(text), 'bad.json')).toThrow(message);
  });
});

/** Changing these means every fashion-mnist study run before the change used another split. */
const PINNED = { train: '6f21dbeeaa6943b2', trainLabels: '229988d7dfd99a47', test: 'c421f23e0204450f', testLabels: '9af2d387dfd7797c' };
