import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_WEIGHTS_FILE, type ModelArtifact } from '../../../src/storage/model-artifact.js';
import { initBackend } from '../../../src/task/backend.js';
import { layersModelArtifact } from '../../../src/task/export/layers-model.js';
import { modelInput } from '../../../src/task/export/model-input.js';
import { createModel } from '../../../src/task/models/model.js';
import type { Mlp } from '../../../src/task/models/mlp.js';
import { disposeState } from '../../../src/task/models/model-state.js';
import type { Tf } from '../../../src/task/tf.js';
import { DeviceBatches, planBatches, range, zeroColumns } from '../../../src/task/train/data.js';
import { FastMlp, fastPathApplies } from '../../../src/task/train/fast-mlp.js';
import { createOptimizer } from '../../../src/task/train/optimizers.js';
import { AutodiffRunner, type Runner } from '../../../src/task/train/runner.js';
import type { Activation, LoadedDataset, ModelSpec, TrainSpec } from '../../../src/task/types.js';
import { cnn, mlp, trainSpec, wasm } from '../train/helpers.js';
import { argmaxRows, loadArtifact, maxAbsDiff, MNIST_SMALL, mnistSmall, predict } from './helpers.js';

let tf: Tf;
let data: LoadedDataset;
beforeAll(async () => {
  tf = await wasm();
  data = await mnistSmall();
});
afterAll(async () => {
  await initBackend('wasm');
});

/** A model trained `steps` sgd steps by its real runner, as the training loop does; dispose() frees it all. */
function trained(spec: ModelSpec, steps: number, train: Partial<TrainSpec> = {}, { autodiff = false } = {}) {
  const settings = trainSpec({ learningRate: 0.1, batchSize: 50, ...train });
  const seed = 3;
  const model = createModel(tf, spec, data, seed);
  const runner: Runner = fastPathApplies(spec) && !autodiff
    ? new FastMlp(tf, model as Mlp, zeroColumns(data), { decay: settings.weightDecay > 0, maxNorm: settings.maxNorm !== null })
    : new AutodiffRunner(tf, model);
  const optimizer = createOptimizer(tf, settings);
  const batches = new DeviceBatches(tf, data.train, data.features, data.classes, planBatches(data.train.count, 50, seed), {
    ...runner.layouts.train,
    features: runner.features,
  });
  const weightSet = new Set(runner.weights);
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const { grads, correct } = runner.step(batches.get(s % batches.count), settings.learningRate);
      // The autodiff runner keeps it past its own scope for the training loop's totals.
      correct.dispose();
      const decay = settings.weightDecay > 0 ? { rate: settings.weightDecay * settings.learningRate, weights: weightSet } : undefined;
      optimizer.apply(runner.params, grads, decay);
    });
  }
  const validation = new DeviceBatches(tf, data.validation, data.features, data.classes, [range(data.validation.count)], {
    ...runner.layouts.evaluate,
    features: runner.features,
  });
  return {
    runner,
    model,
    /** The trained model's own evaluation logits on the validation set. */
    logits: () => tf.tidy(() => runner.logits(validation.get(0)).dataSync() as Float32Array),
    dispose() {
      validation.dispose();
      batches.dispose();
      optimizer.dispose();
      runner.dispose();
      model.dispose();
    },
  };
}

async function exported(spec: ModelSpec, run: ReturnType<typeof trained>, step = 4): Promise<ModelArtifact> {
  const weights = run.runner.snapshot();
  const state = weights.toState();
  try {
    return await layersModelArtifact(tf, spec, data, state, { input: modelInput(MNIST_SMALL, spec, data), step });
  } finally {
    disposeState(state);
    weights.dispose();
  }
}

/** The loaded artifact against the trained model on the validation set: same classes, logits within 1e-4. */
async function expectSamePredictions(artifact: ModelArtifact, logits: Float32Array): Promise<void> {
  const loaded = await loadArtifact(tf, artifact);
  try {
    const theirs = predict(tf, loaded, artifact, data.validation.x);
    expect(theirs.length).toBe(logits.length);
    expect(argmaxRows(theirs, data.classes)).toEqual(argmaxRows(logits, data.classes));
    expect(maxAbsDiff(theirs, logits)).toBeLessThan(1e-4);
  } finally {
    loaded.dispose();
  }
}

describe('layersModelArtifact', () => {
  it('exports the fast-path MLP with its full 784-pixel input, though training left out the always-zero pixels', async () => {
    const spec = mlp({ hidden: [32, 16] });
    const before = tf.memory().numTensors;
    const run = trained(spec, 12);
    expect(zeroColumns(data)!.inactive.length).toBeGreaterThan(50);
    const logits = run.logits();
    const artifact = await exported(spec, run);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);

    expect(artifact.input).toEqual({ shape: [784], scaling: 'pixel / 255', labels: null });
    expect(artifact.step).toBe(4);
    expect(artifact.modelJson['format']).toBe('layers-model');
    const manifest = artifact.modelJson['weightsManifest'] as { paths: string[]; weights: { name: string; shape: number[] }[] }[];
    expect(manifest[0]!.paths).toEqual([MODEL_WEIGHTS_FILE]);
    expect(manifest[0]!.weights[0]).toMatchObject({ name: 'hidden0/kernel', shape: [784, 32] });
    // float32: 784·32 + 32 + 32·16 + 16 + 16·10 + 10 values.
    expect(artifact.weights.byteLength).toBe(4 * (784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10));
    const loaded = await loadArtifact(tf, artifact);
    expect(loaded.inputs[0]!.shape).toEqual([null, 784]);
    loaded.dispose();
    await expectSamePredictions(artifact, logits);
  });

  for (const weightDecay of [0, 0.01]) {
    it(`gives the always-zero pixels the weights the full model has (${weightDecay > 0 ? 'decayed, from zeroT' : 'initial, untouched'})`, async () => {
      // The same training on the full model (autodiff over all 784 pixels) is the reference: on
      // inputs that light the pixels the training set never did, the export must answer as it does.
      const spec = mlp({ hidden: [16] });
      const fast = trained(spec, 8, { weightDecay });
      const artifact = await exported(spec, fast);
      fast.dispose();
      const twin = trained(spec, 8, { weightDecay }, { autodiff: true });
      const bright = Float32Array.from(data.validation.x, (v, i) => (zeroColumns(data)!.inactive.includes(i % 784) ? 1 : v));
      const expected = tf.tidy(() => twin.model.forward(tf.tensor2d(bright, [data.validation.count, 784]), false).dataSync() as Float32Array);
      const loaded = await loadArtifact(tf, artifact);
      const got = predict(tf, loaded, artifact, bright);
      loaded.dispose();
      twin.dispose();
      expect(maxAbsDiff(got, expected)).toBeLessThan(1e-3);
    });
  }

  const activations: Activation[] = ['relu', 'leaky_relu', 'elu', 'selu', 'sigmoid', 'tanh'];
  for (const activation of activations) {
    it(`exports an MLP with batch norm and dropout (${activation}): same predictions at inference`, async () => {
      const spec = mlp({ hidden: [24, 12], batchNorm: true, dropout: 0.3, activation });
      const run = trained(spec, 10);
      const logits = run.logits();
      const artifact = await exported(spec, run);
      run.dispose();
      const layers = (artifact.modelJson['modelTopology'] as { config: { layers: { class_name: string }[] } }).config.layers.map((l) => l.class_name);
      expect(layers).toContain('BatchNormalization');
      expect(layers).toContain('Dropout');
      await expectSamePredictions(artifact, logits);
    });
  }

  it('exports the CNN, fed images [28, 28, 1]', async () => {
    const spec = cnn({ filters: [4, 8], kernel: 3, dense: 16, dropout: 0.25 });
    const before = tf.memory().numTensors;
    const run = trained(spec, 4);
    const logits = run.logits();
    const artifact = await exported(spec, run);
    run.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(artifact.input).toEqual({ shape: [28, 28, 1], scaling: 'pixel / 255', labels: null });
    await expectSamePredictions(artifact, logits);
  });

  it('exports the fast-path MLP trained on the cpu backend', async () => {
    await initBackend('cpu');
    try {
      expect(tf.getBackend()).toBe('cpu');
      const spec = mlp({ hidden: [32, 16] });
      const before = tf.memory().numTensors;
      const run = trained(spec, 6);
      const logits = run.logits();
      const artifact = await exported(spec, run);
      run.dispose();
      expect(tf.memory().numTensors).toBe(before);
      await expectSamePredictions(artifact, logits);
    } finally {
      await initBackend('wasm');
    }
  });

  it('loads on another backend (cpu) with the same predictions', async () => {
    const spec = mlp({ hidden: [32, 16], activation: 'leaky_relu' });
    const run = trained(spec, 12);
    const logits = run.logits();
    const artifact = await exported(spec, run);
    run.dispose();
    const cpu = (await initBackend('cpu')).tf;
    expect(cpu.getBackend()).toBe('cpu');
    try {
      await expectSamePredictions(artifact, logits);
    } finally {
      await initBackend('wasm');
    }
  });
});
