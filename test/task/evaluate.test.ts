/**
 * evaluateModel on real TF.js (wasm): models trained here, saved as ModelArtifacts, scored on the
 * study's split; compared with an independent computation and with the training loop's own
 * validation numbers for the same weights.
 */
import type { LayersModel, Sequential } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import type { ModelInput } from '../../src/storage/model-artifact.js';
import { loadDataset } from '../../src/task/datasets/index.js';
import { evaluateModel, logitsTopology, TEST_SET_WAS_VALIDATION } from '../../src/task/evaluate.js';
import type { Tf } from '../../src/task/tf.js';
import { BATCH_NORM_EPSILON } from '../../src/task/models/mlp.js';
import { trainModel } from '../../src/task/train/train-loop.js';
import type { EpochMetrics, Examples, TaskSpec } from '../../src/task/types.js';
import { artifactOf, writeImages } from '../helpers/model-artifacts.js';
import { useTempDir } from '../helpers/temp.js';
import { spec } from './datasets/helpers.js';
import { mlp, trainSpec, wasm } from './train/helpers.js';

const tempDir = useTempDir();

function idxTask(dir: string, overrides: Partial<TaskSpec['dataset']> = {}, weightDecay = 0): TaskSpec {
  const train = writeImages(dir, 120, 'train');
  const test = writeImages(dir, 45, 'test', 'test');
  return {
    dataset: spec({ type: 'idx', ...train, test }, { validationSplit: 0.25, ...overrides }),
    model: mlp({ hidden: [8] }),
    train: trainSpec({ weightDecay, epochs: 3 }),
  };
}

const flat: ModelInput = { shape: [16], scaling: 'pixel / 255', labels: null };

/** A small model fitted to `examples` (with `fit: false`, left at its seeded initial weights: wasm has no conv gradients). */
async function trainedMlp(tf: Tf, examples: Examples, options: { softmax?: boolean; shape?: number[]; fit?: boolean } = {}): Promise<Sequential> {
  const shape = options.shape ?? [16];
  const model = tf.sequential();
  if (shape.length === 3) {
    model.add(tf.layers.conv2d({ inputShape: shape, filters: 2, kernelSize: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    model.add(tf.layers.flatten());
  } else {
    model.add(tf.layers.dense({ inputShape: shape, units: 6, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  }
  model.add(tf.layers.dense({ units: 3, activation: options.softmax === false ? 'linear' : 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  if (options.fit === false) return model;
  model.compile({ optimizer: tf.train.adam(0.05), loss: options.softmax === false ? tf.losses.softmaxCrossEntropy : 'sparseCategoricalCrossentropy' });
  const x = tf.tensor(examples.x, [examples.count, ...shape]);
  const y = options.softmax === false ? tf.oneHot(tf.tensor1d(examples.y, 'int32'), 3) : tf.tensor1d(examples.y, 'float32');
  await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: false, verbose: 0 });
  x.dispose();
  y.dispose();
  return model;
}

/** Accuracy and mean cross-entropy of `model` on `examples`, in float64 JavaScript from its probabilities. */
function independently(tf: Tf, model: LayersModel, examples: Examples, shape: number[], softmax = true): { accuracy: number; loss: number } {
  const x = tf.tensor(examples.x, [examples.count, ...shape]);
  const out = model.predict(x) as import('@tensorflow/tfjs').Tensor;
  const values = out.dataSync();
  x.dispose();
  out.dispose();
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < examples.count; i++) {
    const row = Array.from(values.subarray(i * 3, i * 3 + 3));
    const probs = softmax ? row : row.map((v) => Math.exp(v) / row.reduce((s, w) => s + Math.exp(w), 0));
    const best = probs.indexOf(Math.max(...probs));
    if (best === examples.y[i]) correct++;
    loss -= Math.log(probs[examples.y[i]!]!);
  }
  return { accuracy: correct / examples.count, loss: loss / examples.count };
}

describe('evaluateModel', () => {
  it("reproduces a model's accuracy and loss on the study's validation split, and disposes its tensors", async () => {
    const tf = await wasm();
    const task = idxTask(tempDir());
    const data = await loadDataset(task.dataset, 7);
    const model = await trainedMlp(tf, data.train);
    const expected = independently(tf, model, data.validation, [16]);
    // Not trivial: the model is right on some validation examples and wrong on others.
    expect(expected.accuracy).toBeGreaterThan(0.4);
    expect(expected.accuracy).toBeLessThan(1);
    const artifact = await artifactOf(model, flat);
    model.dispose();

    const before = tf.memory().numTensors;
    const result = await evaluateModel(artifact, task, 7, { test: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.val_accuracy).toBe(expected.accuracy);
    expect(result.val_loss).toBeCloseTo(expected.loss, 5);
    expect(result).not.toHaveProperty('test_accuracy');
    expect(result.warnings).toEqual([]);

    // Another study seed splits otherwise: the numbers above are this study's split's.
    const other = await evaluateModel(artifact, task, 8, { test: false });
    expect(other.val_loss).not.toBeCloseTo(result.val_loss, 5);
  });

  it('scores the test entry of an IDX dataset with --test', async () => {
    const tf = await wasm();
    const task = idxTask(tempDir());
    const data = await loadDataset(task.dataset, 3);
    const model = await trainedMlp(tf, data.train, { softmax: false });
    const test = await loadDataset({ ...task.dataset, useTestSet: true, validationSplit: undefined }, 3);
    expect(test.validation.count).toBe(45);
    const expected = independently(tf, model, test.validation, [16], false);
    const validation = independently(tf, model, data.validation, [16], false);
    const artifact = await artifactOf(model, flat);
    model.dispose();
    const result = await evaluateModel(artifact, task, 3, { test: true });
    expect(result.test_accuracy).toBe(expected.accuracy);
    expect(result.test_loss).toBeCloseTo(expected.loss, 5);
    expect(result.val_accuracy).toBe(validation.accuracy);
  });

  it('feeds images to a model whose input is [h, w, 1]', async () => {
    const tf = await wasm();
    const task = idxTask(tempDir());
    task.model = { type: 'cnn', filters: [2], kernel: 2, dense: 4, dropout: 0, activation: 'relu', initializer: 'he_normal', initStd: 0.05 };
    const data = await loadDataset(task.dataset, 5);
    const model = await trainedMlp(tf, data.train, { shape: [4, 4, 1], fit: false });
    const expected = independently(tf, model, data.validation, [4, 4, 1]);
    const artifact = await artifactOf(model, { shape: [4, 4, 1], scaling: 'pixel / 255', labels: null });
    model.dispose();
    const result = await evaluateModel(artifact, task, 5, { test: false });
    expect(result.val_accuracy).toBe(expected.accuracy);
    expect(result.val_loss).toBeCloseTo(expected.loss, 5);
  });

  it('adds the weight-decay penalty 0.5·λ·Σ‖kernel‖² to the losses, as training does', async () => {
    const tf = await wasm();
    const plain = idxTask(tempDir());
    const data = await loadDataset(plain.dataset, 1);
    const model = await trainedMlp(tf, data.train);
    const squares = model.layers.flatMap((layer) => [layer.getWeights()[0]!]).reduce((sum, kernel) => sum + tf.sum(tf.square(kernel)).dataSync()[0]!, 0);
    const artifact = await artifactOf(model, flat);
    model.dispose();
    const without = await evaluateModel(artifact, plain, 1, { test: true });
    const decayed = await evaluateModel(artifact, { ...plain, train: { ...plain.train, weightDecay: 0.01 } }, 1, { test: true });
    expect(decayed.val_accuracy).toBe(without.val_accuracy);
    expect(decayed.val_loss).toBeCloseTo(without.val_loss + 0.5 * 0.01 * squares, 5);
    expect(decayed.test_loss).toBeCloseTo(without.test_loss! + 0.5 * 0.01 * squares, 5);
  });

  it("gives the training loop's val_accuracy and val_loss for the weights it trained", async () => {
    const tf = await wasm();
    // Batch norm: the autodiff runner trains the model's own variables (the fast MLP keeps a
    // transposed copy of the first kernel), and evaluation must use the moving statistics.
    const task = idxTask(tempDir(), {}, 0.001);
    task.model = mlp({ hidden: [8], batchNorm: true });
    const data = await loadDataset(task.dataset, 11);
    // The trainer's variables, read when its last epoch is reported: the weights its validation pass scored.
    let last: EpochMetrics | undefined;
    let weights: Float32Array[] = [];
    const before = new Set(Object.keys(tf.engine().state.registeredVariables));
    await trainModel(tf, task, data, {
      seed: 5,
      onEpoch: (epoch, metrics) => {
        if (epoch !== task.train.epochs) return;
        last = metrics;
        const variables = Object.entries(tf.engine().state.registeredVariables).filter(([name]) => !before.has(name));
        weights = variables.map(([, v]) => v.dataSync() as Float32Array);
      },
    });
    // In creation order (models/mlp.ts): hidden kernel, gamma, beta, moving mean and variance; output kernel and bias.
    const shapes = [[16, 8], [8], [8], [8], [8], [8, 3], [3]];
    expect(weights.map((w) => w.length)).toEqual(shapes.map((s) => s.reduce((a, b) => a * b)));
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [16], units: 8, useBias: false }),
        tf.layers.batchNormalization({ epsilon: BATCH_NORM_EPSILON }),
        tf.layers.activation({ activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const tensors = weights.map((w, i) => tf.tensor(w, shapes[i]));
    // Layer by layer: a model's setWeights takes all trainable weights first, then the moving statistics.
    model.layers[0]!.setWeights(tensors.slice(0, 1));
    model.layers[1]!.setWeights(tensors.slice(1, 5));
    model.layers[3]!.setWeights(tensors.slice(5, 7));
    tensors.forEach((t) => t.dispose());
    const artifact = await artifactOf(model, flat);
    model.dispose();
    const result = await evaluateModel(artifact, task, 11, { test: false });
    expect(last!.val_accuracy).toBeGreaterThan(0.34);
    expect(result.val_accuracy).toBe(last!.val_accuracy);
    expect(result.val_loss).toBeCloseTo(last!.val_loss, 5);
  });

  it('warns when the validation split was the test set', async () => {
    const tf = await wasm();
    const task = idxTask(tempDir(), { useTestSet: true, validationSplit: undefined });
    const data = await loadDataset(task.dataset, 2);
    const model = await trainedMlp(tf, data.train);
    const artifact = await artifactOf(model, flat);
    model.dispose();
    const result = await evaluateModel(artifact, task, 2, { test: true });
    expect(result.warnings).toEqual([TEST_SET_WAS_VALIDATION]);
    // The validation split is the whole test set here: the same examples, the same numbers.
    expect(result.test_accuracy).toBe(result.val_accuracy);
    const quiet = await evaluateModel(artifact, task, 2, { test: false });
    expect(quiet.warnings).toEqual([expect.stringContaining('use_test_set: true')]);
  });

  it('refuses --test on a dataset without a test set, and a model of the wrong width', async () => {
    const tf = await wasm();
    const task = idxTask(tempDir());
    const source = task.dataset.source as { type: 'idx'; images: string; labels: string; test?: unknown };
    delete source.test;
    const data = await loadDataset(task.dataset, 2);
    const model = await trainedMlp(tf, data.train);
    const artifact = await artifactOf(model, flat);
    model.dispose();
    await expect(evaluateModel(artifact, task, 2, { test: true })).rejects.toThrow(/has no test set; give the dataset a test entry \(idx: test: \{ images, labels \}; csv: test: \{ path \}\)/);
    const wide = await artifactOf(tf.sequential({ layers: [tf.layers.dense({ inputShape: [20], units: 3 })] }), { shape: [20], scaling: '', labels: null });
    const error = await evaluateModel(wide, task, 2, { test: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HpsearchError);
    expect((error as Error).message).toMatch(/takes examples of shape \[20\] \(20 values\), but the dataset's have 16 features/);
  });

  it("scores MNIST's official test set: all 10,000 images", async () => {
    const tf = await wasm();
    const task: TaskSpec = { dataset: spec({ type: 'builtin', name: 'mnist' }, { trainSamples: 200, validationSplit: 0.25 }), model: mlp({ hidden: [4] }), train: trainSpec() };
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, kernelInitializer: 'zeros' })] });
    const artifact = await artifactOf(model, { shape: [784], scaling: 'pixel / 255', labels: null });
    model.dispose();
    const result = await evaluateModel(artifact, task, 1, { test: true });
    // Zero weights: every class scores alike, the argmax is class 0, the loss is ln 10; so the
    // accuracy is the share of zeros, 980 of the official test set's 10,000 digits.
    expect(result.test_accuracy).toBe(980 / 10_000);
    // float32 sums of 10,000 losses, as training adds them: close to ln 10, not to its last digit.
    expect(result.test_loss).toBeCloseTo(Math.log(10), 3);
    expect(result.val_loss).toBeCloseTo(Math.log(10), 5);
  });
});

describe('logitsTopology', () => {
  it('makes a softmax output linear and leaves the rest', () => {
    const topology = { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: { activation: 'relu' } }, { class_name: 'Dense', config: { activation: 'softmax' } }] } };
    const out = logitsTopology(topology) as typeof topology;
    expect(out.config.layers.map((l) => l.config.activation)).toEqual(['relu', 'linear']);
    expect(topology.config.layers[1]!.config.activation).toBe('softmax');
    const functional = {
      class_name: 'Model',
      config: { layers: [{ name: 'a', class_name: 'Softmax', config: { name: 'a' } }, { name: 'b', class_name: 'Dense', config: { name: 'b', activation: 'relu' } }], output_layers: [['a', 0, 0]] },
    };
    const changed = logitsTopology(functional) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(changed.config.layers[0]).toMatchObject({ class_name: 'Activation', config: { name: 'a', activation: 'linear' } });
    expect(changed.config.layers[1]!.config['activation']).toBe('relu');
  });
});
