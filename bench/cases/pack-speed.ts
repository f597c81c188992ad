/**
 * Packed trials (issue 18): seconds per best-5 trial ("Deep Learning from Scratch" ch. 6: the
 * first 500 MNIST images, 20% validation, MLP 784-100×6-10, sgd, batch 100, 50 epochs with
 * validation each) trained K at a time by trainPack on the native "tensorflow" backend, at
 * K = 1, 4, 16, 32, 64, against the same trial alone through trainModel; and the device memory
 * of a pack (tf.memory().numBytes at the end of the first epoch, less before the pack).
 *
 * The addon loads in one thread per process: the measurement runs in a child process (this file
 * run directly), with the environment worker processes get (nativeWorkerProcesses(1).env).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIVE_PACKAGES, isInstalled } from '../../src/task/native-packages.js';
import { nativeWorkerProcesses } from '../../src/task/native-backend.js';
import type { DatasetSpec, MlpSpec, TrainSpec } from '../../src/task/types.js';
import { median, type BenchRow } from '../report.js';

const SIZES = [1, 4, 16, 32, 64];
/** Packs timed per size (the median is reported): fewer for the big ones, whose single run is long. */
const REPEATS: Record<number, number> = { 1: 3, 4: 2, 16: 1, 32: 1, 64: 1 };

const DATASET: DatasetSpec = { source: { type: 'builtin', name: 'mnist' }, trainSamples: 500, validationSplit: 0.2, useTestSet: false, scale: true, shuffle: true };
const MODEL: MlpSpec = { type: 'mlp', hidden: [100, 100, 100, 100, 100, 100], activation: 'relu', initializer: 'he_normal', initStd: 0.01, batchNorm: false, dropout: 0 };

function train(learningRate: number, weightDecay: number): TrainSpec {
  return {
    optimizer: 'sgd', learningRate, momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, epsilon: 1e-7, batchSize: 100, epochs: 50,
    weightDecay, schedule: { type: 'constant' }, clipValue: null, clipNorm: null, maxNorm: null,
  };
}

interface ChildResult {
  backend: string;
  alone: number[];
  packs: { k: number; seconds: number[]; bytes: number }[];
}

/** In the child: the measurements, as JSON on stdout. */
async function measure(): Promise<ChildResult> {
  const { initBackend } = await import('../../src/task/backend.js');
  const { loadDatasetCached } = await import('../../src/task/datasets/index.js');
  const { trainModel } = await import('../../src/task/train/train-loop.js');
  const { trainPack } = await import('../../src/task/train/pack-loop.js');
  const { tf, backend } = await initBackend('tensorflow');
  const data = await loadDatasetCached(DATASET, 42);
  // The best-5 space's ranges: lr 10^U(-6,-2), weight decay 10^U(-8,-4), drawn the same each run.
  const member = (i: number) => ({ spec: { model: MODEL, train: train(10 ** (-6 + 4 * ((i * 0.618) % 1)), 10 ** (-8 + 4 * ((i * 0.382) % 1))) }, seed: 100 + i });
  // A short warm-up: the first trial of a process also pays TensorFlow's start (kernels, allocator).
  await trainModel(tf, { model: MODEL, train: { ...train(1e-3, 0), epochs: 2 } }, data, { seed: 1, onEpoch: () => {} });
  const alone: number[] = [];
  for (let r = 0; r < 3; r++) {
    const m = member(r);
    const started = performance.now();
    await trainModel(tf, m.spec, data, { seed: m.seed, onEpoch: () => {} });
    alone.push((performance.now() - started) / 1000);
  }
  const packs: ChildResult['packs'] = [];
  for (const k of SIZES) {
    const seconds: number[] = [];
    let bytes = 0;
    for (let r = 0; r < REPEATS[k]!; r++) {
      const members = Array.from({ length: k }, (_, i) => member(r * 64 + i));
      const before = tf.memory().numBytes;
      const started = performance.now();
      await trainPack(tf, members, data, (m, epoch) => {
        if (m === 0 && epoch === 1) bytes = tf.memory().numBytes - before;
      });
      seconds.push((performance.now() - started) / 1000 / k);
    }
    packs.push({ k, seconds, bytes });
  }
  return { backend, alone, packs };
}

export async function packSpeed(): Promise<BenchRow[]> {
  if (!isInstalled(NATIVE_PACKAGES.tensorflow)) {
    return [{ name: 'pack speed: skipped (@tensorflow/tfjs-node is not installed; npm run setup:native)', median: Number.NaN, unit: '-', samples: [] }];
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, ...nativeWorkerProcesses(1).env },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`pack speed: the child process failed (${child.status}): ${child.stderr}`);
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildResult;
  const alone = median(result.alone);
  const rows: BenchRow[] = [
    { name: `best-5 trial alone (trainModel), ${result.backend}`, median: alone, unit: 's/trial', samples: result.alone },
  ];
  for (const { k, seconds, bytes } of result.packs) {
    rows.push({
      name: `best-5 trials packed, K = ${k}, ${result.backend}`,
      median: median(seconds),
      unit: 's/trial',
      samples: seconds,
      reference: { label: 'the trial alone (trainModel, this run)', value: alone, unit: 's/trial', measured: true, samples: result.alone },
    });
    rows.push({ name: `  device memory of the pack at epoch 1's end, K = ${k}`, median: bytes / 2 ** 20, unit: 'MB', samples: [bytes / 2 ** 20] });
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await measure()));
}
