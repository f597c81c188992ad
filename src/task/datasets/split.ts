/**
 * From a source's raw examples to the train / validation Examples a trial trains on,
 * following the book: take the first `trainSamples` training examples, shuffle them with the
 * study seed, then the first part is validation and the rest is training.
 */
import { readFile } from 'node:fs/promises';
import { HpsearchError } from '../../errors.js';
import { rngFor, type Rng } from '../../random/rng.js';
import type { DatasetSpec, Examples, LoadedDataset } from '../types.js';

/** Examples as a source stores them: pixels stay uint8 until the slice a study uses is known. */
export interface RawExamples {
  x: Uint8Array | Float32Array;
  y: Int32Array;
  count: number;
}

export interface SourcePart {
  count: number;
  /** The first `limit` examples, in the source's order. */
  read(limit: number): Promise<RawExamples>;
}

export interface DataSource {
  /** For messages: "mnist" or a file path. */
  name: string;
  features: number;
  imageShape: [number, number, number] | null;
  classes: number;
  train: SourcePart;
  test: SourcePart | null;
}

export const DEFAULT_VALIDATION_SPLIT = 0.2;

/** What to do about a dataset without a test set (only idx and csv datasets can lack one). */
export const TEST_ENTRY_HINT = 'give the dataset a test entry (idx: test: { images, labels }; csv: test: { path })';

export function dataError(file: string, problem: string, cause?: unknown): HpsearchError {
  return new HpsearchError('E_VALIDATION', `${file}: ${problem}`, cause === undefined ? undefined : { cause });
}

/** Any failure to read a data file is the user's to fix (wrong path, permissions), hence E_VALIDATION. */
export function fileReadError(file: string, error: unknown): HpsearchError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return dataError(file, 'data file not found', error);
  if (code === 'EISDIR') return dataError(file, 'is a directory, expected a data file', error);
  return dataError(file, `cannot read data file (${error instanceof Error ? error.message : String(error)})`, error);
}

export async function readDataFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw fileReadError(file, error);
  }
}

export function shuffleInPlace(values: Int32Array | number[], rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = values[i]!;
    values[i] = values[j]!;
    values[j] = swap;
  }
}

/** Messages name the settings as a space file spells them (train_samples, not trainSamples). */
function specError(problem: string): HpsearchError {
  return new HpsearchError('E_VALIDATION', `dataset: ${problem}`);
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw specError(`${name} must be a positive integer, got ${value}`);
  }
}

/** How many of the `n` limited training examples go to validation (0 with useTestSet). */
function heldOut(spec: DatasetSpec, n: number, name: string): number {
  if (spec.validationSamples !== undefined && spec.validationSplit !== undefined) {
    throw specError('give validation_samples or validation_split, not both');
  }
  if (spec.useTestSet) {
    if (spec.validationSplit !== undefined) {
      throw specError('validation_split has no effect with use_test_set (the test set is the validation set); remove it');
    }
    return 0;
  }
  let held: number;
  if (spec.validationSamples !== undefined) {
    held = spec.validationSamples;
  } else {
    const split = spec.validationSplit ?? DEFAULT_VALIDATION_SPLIT;
    if (!(split > 0 && split < 1)) throw specError(`validation_split must be between 0 and 1 (exclusive), got ${split}`);
    // round, not floor: 0.29 * 100 is 28.999999999999996 in floating point.
    held = Math.round(n * split);
    if (held < 1) throw specError(`validation_split ${split} of ${n} training examples leaves no validation example`);
  }
  if (held >= n) {
    throw specError(`holding out ${held} validation examples of ${n} training examples (${name}) leaves none to train on`);
  }
  return held;
}

function gather(raw: RawExamples, indices: ArrayLike<number>, features: number, scale: boolean): Examples {
  const count = indices.length;
  const x = new Float32Array(count * features);
  const y = new Int32Array(count);
  const divisor = scale ? 255 : 1;
  for (let row = 0; row < count; row++) {
    const from = indices[row]! * features;
    const to = row * features;
    for (let k = 0; k < features; k++) x[to + k] = raw.x[from + k]! / divisor;
    y[row] = raw.y[indices[row]!]!;
  }
  return { x, y, count };
}

function range(count: number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}

/**
 * All of the source's test examples, scaled as its training examples are (`spec.scale`): what
 * `hpsearch evaluate --test` scores. Null when the source has no test set.
 */
export async function testExamples(source: DataSource, spec: DatasetSpec): Promise<Examples | null> {
  if (source.test === null) return null;
  const { count } = source.test;
  return gather(await source.test.read(count), range(count), source.features, spec.scale);
}

/**
 * Builds the trial's examples. Validation comes from the test set with useTestSet (all of it,
 * or its first `validationSamples`), otherwise it is held out of the limited training set.
 * With `scale`, every feature is divided by 255 — CSV features included, so a CSV of
 * non-pixel features wants `scale: false`. The spec is checked again here, although the
 * space-file schema checks it, because counts like "at most the 60,000 examples" need the data.
 */
export async function splitDataset(source: DataSource, spec: DatasetSpec, studySeed: number): Promise<LoadedDataset> {
  checkCount('train_samples', spec.trainSamples);
  checkCount('validation_samples', spec.validationSamples);
  const available = source.train.count;
  const n = spec.trainSamples ?? available;
  if (n > available) {
    throw specError(`train_samples is ${n} but ${source.name} has ${available} training examples`);
  }
  const held = heldOut(spec, n, source.name);

  const order = range(n);
  if (spec.shuffle) shuffleInPlace(order, rngFor(studySeed, 'dataset'));
  const trainRaw = await source.train.read(n);
  const train = gather(trainRaw, order.subarray(held), source.features, spec.scale);

  let validation: Examples;
  if (spec.useTestSet) {
    if (source.test === null) throw specError(`use_test_set: ${source.name} has no test set; ${TEST_ENTRY_HINT}`);
    const wanted = spec.validationSamples ?? source.test.count;
    if (wanted > source.test.count) {
      throw specError(`validation_samples is ${wanted} but ${source.name} has ${source.test.count} test examples`);
    }
    validation = gather(await source.test.read(wanted), range(wanted), source.features, spec.scale);
  } else {
    validation = gather(trainRaw, order.subarray(0, held), source.features, spec.scale);
  }
  return { train, validation, features: source.features, imageShape: source.imageShape, classes: source.classes };
}
