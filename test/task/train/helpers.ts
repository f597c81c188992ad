/**
 * Tiny synthetic problems and specs for the training tests (real TF.js on the wasm backend).
 */
import seedrandom from 'seedrandom';
import { initBackend } from '../../../src/task/backend.js';
import { type Tf } from '../../../src/task/tf.js';
import { trainModel, type TrainOutcome } from '../../../src/task/train/train-loop.js';
import type { CnnSpec, EpochMetrics, Examples, LoadedDataset, MlpSpec, TrainSpec } from '../../../src/task/types.js';

export async function wasm(): Promise<Tf> {
  return (await initBackend('wasm')).tf;
}

function normal(rng: () => number): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `classes` Gaussian blobs in `dims` dimensions, centres ~N(0, 3²), points ~N(centre, spread²). */
export function blobs(options: { train?: number; validation?: number; dims?: number; classes?: number; spread?: number; seed?: string } = {}): LoadedDataset {
  const { train = 160, validation = 60, dims = 10, classes = 4, spread = 1, seed = 'blobs' } = options;
  const rng = seedrandom(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dims }, () => 3 * normal(rng)));
  const make = (count: number): Examples => {
    const x = new Float32Array(count * dims);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      y[i] = i % classes;
      for (let j = 0; j < dims; j++) x[i * dims + j] = centres[y[i]!]![j]! + spread * normal(rng);
    }
    return { x, y, count };
  };
  return { train: make(train), validation: make(validation), features: dims, imageShape: null, classes };
}

/** Blobs drawn as tiny images: each class lights a different quadrant of an 8×8 grey image. */
export function tinyImages(count = 48, size = 8, seed = 'images'): LoadedDataset {
  const rng = seedrandom(seed);
  const make = (n: number): Examples => {
    const x = new Float32Array(n * size * size);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const label = i % 4;
      y[i] = label;
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          const lit = (r < size / 2 ? 0 : 2) + (c < size / 2 ? 0 : 1) === label;
          x[(i * size + r) * size + c] = (lit ? 0.8 : 0.1) + 0.1 * rng();
        }
      }
    }
    return { x, y, count: n };
  };
  return { train: make(count), validation: make(count / 2), features: size * size, imageShape: [size, size, 1], classes: 4 };
}

export function mlp(overrides: Partial<MlpSpec> = {}): MlpSpec {
  return { type: 'mlp', hidden: [16, 16], activation: 'relu', initializer: 'he_normal', initStd: 0.05, batchNorm: false, dropout: 0, ...overrides };
}

export function cnn(overrides: Partial<CnnSpec> = {}): CnnSpec {
  return { type: 'cnn', filters: [4, 8], kernel: 3, dense: 16, dropout: 0.25, activation: 'relu', initializer: 'he_normal', initStd: 0.05, ...overrides };
}

export function trainSpec(overrides: Partial<TrainSpec> = {}): TrainSpec {
  return {
    optimizer: 'sgd',
    learningRate: 0.05,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    rho: 0.9,
    epsilon: 1e-7,
    batchSize: 32,
    epochs: 5,
    weightDecay: 0,
    schedule: { type: 'constant' },
    clipValue: null,
    clipNorm: null,
    maxNorm: null,
    ...overrides,
  };
}

/** trainModel, collecting the per-epoch metrics. */
export async function run(
  tf: Tf,
  model: MlpSpec | CnnSpec,
  train: TrainSpec,
  data: LoadedDataset,
  seed = 1,
): Promise<{ outcome: TrainOutcome; epochs: EpochMetrics[] }> {
  const epochs: EpochMetrics[] = [];
  const outcome = await trainModel(tf, { model, train }, data, { seed, onEpoch: (_, metrics) => void epochs.push(metrics) });
  return { outcome, epochs };
}
