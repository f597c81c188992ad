/**
 * IDX files, as MNIST ships them: 0x00 0x00, a dtype byte, a rank byte, one big-endian
 * uint32 per dimension, then the values. Only unsigned bytes (0x08) are supported.
 * Files are read through a handle so that loading the first 500 of 60,000 images reads
 * 500 images' bytes, not 47 MB.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dataError, fileReadError, type DataSource, type RawExamples, type SourcePart } from './split.js';

export interface IdxArray {
  /** With maxItems, dims[0] is the number of items read. */
  dims: number[];
  data: Uint8Array;
}

export interface IdxHeader {
  dims: number[];
  dataOffset: number;
}

export interface IdxExamples extends RawExamples {
  x: Uint8Array;
  features: number;
  imageShape: [number, number, number] | null;
  /** Largest label in the whole labels file + 1. */
  classes: number;
}

const UBYTE = 0x08;
const DTYPES: Record<number, string> = { 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

async function openFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw fileReadError(file, error);
  }
}

async function readAt(handle: FileHandle, file: string, target: Uint8Array, position: number): Promise<void> {
  let done = 0;
  try {
    while (done < target.length) {
      const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
  } catch (error) {
    throw fileReadError(file, error);
  }
  if (done < target.length) throw dataError(file, `truncated IDX file (file shrank while reading)`);
}

const product = (values: number[]): number => values.reduce((a, b) => a * b, 1);

async function parseHeader(handle: FileHandle, file: string): Promise<IdxHeader> {
  const { size } = await handle.stat();
  if (size < 4) throw dataError(file, `not an IDX file: ${size} bytes is too short for the header`);
  const magic = new Uint8Array(4);
  await readAt(handle, file, magic, 0);
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    throw dataError(file, 'is gzip-compressed; unpack it first (gunzip) — IDX files are read uncompressed');
  }
  const hex = Array.from(magic, (b) => b.toString(16).padStart(2, '0')).join('');
  if (magic[0] !== 0 || magic[1] !== 0) {
    throw dataError(file, `not an IDX file: bad magic number 0x${hex} (expected 0x0000 followed by dtype and rank)`);
  }
  if (magic[2] !== UBYTE) {
    const name = DTYPES[magic[2]!] ?? 'unknown';
    throw dataError(file, `unsupported IDX dtype 0x${hex.slice(4, 6)} (${name}); only unsigned byte (0x08) is supported`);
  }
  const rank = magic[3]!;
  if (rank === 0) throw dataError(file, 'IDX file of rank 0 holds no items');
  const dataOffset = 4 + 4 * rank;
  if (size < dataOffset) throw dataError(file, `truncated IDX header: rank ${rank} needs ${dataOffset} bytes, file has ${size}`);
  const raw = new Uint8Array(4 * rank);
  await readAt(handle, file, raw, 4);
  const view = new DataView(raw.buffer);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 * i, false));
  const expected = dataOffset + product(dims);
  if (size < expected) {
    throw dataError(file, `truncated IDX data: dims [${dims.join(', ')}] need ${expected} bytes, file has ${size}`);
  }
  if (size > expected) {
    throw dataError(file, `IDX file has ${size - expected} bytes after the data of dims [${dims.join(', ')}]; is it the right file?`);
  }
  return { dims, dataOffset };
}

export async function readIdxHeader(file: string): Promise<IdxHeader> {
  const handle = await openFile(file);
  try {
    return await parseHeader(handle, file);
  } finally {
    await handle.close();
  }
}

/** The whole file, or only its first `maxItems` items (along dims[0]). */
export async function readIdx(file: string, options: { maxItems?: number } = {}): Promise<IdxArray> {
  const handle = await openFile(file);
  try {
    const { dims, dataOffset } = await parseHeader(handle, file);
    const [total, ...rest] = dims as [number, ...number[]];
    const items = Math.min(total, options.maxItems ?? total);
    const data = new Uint8Array(items * product(rest));
    await readAt(handle, file, data, dataOffset);
    return { dims: [items, ...rest], data };
  } finally {
    await handle.close();
  }
}

/** The bytes of an IDX file of unsigned bytes, e.g. to write test fixtures. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  if (product(dims) !== data.length) throw new RangeError(`dims [${dims.join(', ')}] do not match ${data.length} values`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint8(2, UBYTE);
  view.setUint8(3, dims.length);
  dims.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function imageShapeOf(itemDims: number[]): [number, number, number] | null {
  if (itemDims.length === 2) return [itemDims[0]!, itemDims[1]!, 1];
  if (itemDims.length === 3) return [itemDims[0]!, itemDims[1]!, itemDims[2]!];
  return null;
}

/**
 * An images file and its labels file. The labels file is read whole (one byte per item) so
 * `classes` does not depend on how many images are asked for.
 */
export async function readIdxPair(images: string, labels: string, options: { maxItems?: number } = {}): Promise<IdxExamples> {
  const [imageHeader, labelArray] = await Promise.all([readIdxHeader(images), readIdx(labels)]);
  if (labelArray.dims.length !== 1) {
    throw dataError(labels, `a labels file must have rank 1, this one has dims [${labelArray.dims.join(', ')}]`);
  }
  if (imageHeader.dims.length < 2) {
    throw dataError(images, `an images file must have rank 2 or more (items × features...), this one has rank 1`);
  }
  const count = imageHeader.dims[0]!;
  if (labelArray.dims[0] !== count) {
    throw dataError(images, `has ${count} images but labels file ${labels} has ${labelArray.dims[0]} labels`);
  }
  const itemDims = imageHeader.dims.slice(1);
  const { data } = await readIdx(images, options);
  const read = Math.min(count, options.maxItems ?? count);
  const classes = labelArray.data.reduce((max, label) => Math.max(max, label), -1) + 1;
  return {
    x: data,
    y: Int32Array.from(labelArray.data.subarray(0, read)),
    count: read,
    features: product(itemDims),
    imageShape: imageShapeOf(itemDims),
    classes,
  };
}

/**
 * A `{ type: 'idx' }` dataset: one images/labels pair, and the test set's pair when given. A
 * test pair must hold items of the training images' shape and only the training labels' classes.
 */
export async function openIdx(images: string, labels: string, test?: { images: string; labels: string }): Promise<DataSource> {
  const [header, probe] = await Promise.all([readIdxHeader(images), readIdxPair(images, labels, { maxItems: 0 })]);
  const count = header.dims[0]!;
  return {
    name: images,
    features: probe.features,
    imageShape: probe.imageShape,
    classes: probe.classes,
    train: { count, read: (limit) => readIdxPair(images, labels, { maxItems: limit }) },
    test: test === undefined ? null : await openTestPair(test, header.dims.slice(1), probe.classes),
  };
}

async function openTestPair(test: { images: string; labels: string }, itemDims: number[], classes: number): Promise<SourcePart> {
  const [header, probe] = await Promise.all([readIdxHeader(test.images), readIdxPair(test.images, test.labels, { maxItems: 0 })]);
  const testDims = header.dims.slice(1);
  if (testDims.join('×') !== itemDims.join('×')) {
    throw dataError(test.images, `test images are [${testDims.join(', ')}] each, the training images [${itemDims.join(', ')}]`);
  }
  if (probe.classes > classes) {
    throw dataError(test.labels, `has label ${probe.classes - 1}, but the training labels have only the ${classes} classes 0..${classes - 1}`);
  }
  return { count: header.dims[0]!, read: (limit) => readIdxPair(test.images, test.labels, { maxItems: limit }) };
}
