/**
 * Scores a saved model of a built-in task trial (issue 17, `hpsearch evaluate`): on the study's
 * validation split, rebuilt exactly as training made it (same source, study seed, shuffle, split
 * and scaling: datasets/split.ts), and with `test` on the dataset's test set.
 *
 * The numbers are the trainer's own definitions (train/train-loop.ts), so a model's val_accuracy
 * here is the val_accuracy stored for the epoch its weights come from: the fraction of examples
 * whose largest logit is the label's, and val_loss the mean softmax cross-entropy over the set
 * plus the weight-decay penalty 0.5·λ·Σ‖W‖² over the weight matrices and conv kernels (λ the
 * trial's weight_decay), computed in the same validation chunks. test_loss includes the same
 * penalty, so it compares with val_loss.
 *
 * A saved model may end in a softmax (what a user's `predict` wants); its output layer is read
 * as linear here, so the loss comes from the logits, as in training: a log-softmax, finite where
 * log(softmax) would not be.
 */
import type { LayersModel, Tensor, Tensor2D } from '@tensorflow/tfjs';
import { HpsearchError } from '../errors.js';
import type { ModelArtifact } from '../storage/model-artifact.js';
import { initBackend } from './backend.js';
import { openSource, splitDataset, TEST_ENTRY_HINT, testExamples } from './datasets/index.js';
import type { Tf } from './tf.js';
import { chunks, DeviceBatches, range } from './train/data.js';
import { correctCount, crossEntropySum, squaredNorm } from './train/loss.js';
import { VALIDATION_CHUNK } from './train/train-loop.js';
import type { Examples, TaskSpec } from './types.js';

export interface EvaluateOptions {
  /** Also score the dataset's test set. */
  test: boolean;
  /** The backend of this thread: never a native one, whose addon a CLI process must not load beside worker processes. Default wasm. */
  backend?: 'wasm' | 'cpu';
}

export interface ModelEvaluation {
  val_accuracy: number;
  val_loss: number;
  /** Only with `test`. */
  test_accuracy?: number;
  test_loss?: number;
  /** For the user, e.g. that the validation split was the test set. */
  warnings: string[];
}

/** What `use_test_set: true` means for the numbers, in the warning `evaluateModel` gives. */
export const TEST_SET_WAS_VALIDATION =
  'the study validated on the test set (use_test_set: true): its trials were chosen by their score on it, so the test scores are not an unbiased estimate';

/**
 * Scores `artifact`, a model of the task `task` (the trial's settings, its params merged in:
 * settings.ts taskForTrial) trained in the study of seed `studySeed`. Everything it puts on the
 * device is disposed before it resolves.
 */
export async function evaluateModel(artifact: ModelArtifact, task: TaskSpec, studySeed: number, options: EvaluateOptions): Promise<ModelEvaluation> {
  const source = await openSource(task.dataset.source);
  const data = await splitDataset(source, task.dataset, studySeed);
  let test: Examples | null = null;
  if (options.test) {
    test = await testExamples(source, task.dataset);
    if (test === null) {
      throw new HpsearchError('E_USAGE', `--test: dataset ${source.name} has no test set; ${TEST_ENTRY_HINT}`);
    }
  }
  const { tf } = await initBackend(options.backend ?? 'wasm');
  const model = await loadArtifactModel(tf, artifact);
  try {
    const shape = inputShape(model, artifact, data.features);
    const scorer: Scorer = { tf, model, shape, classes: data.classes, features: data.features, chunk: VALIDATION_CHUNK[task.model.type], lambda: task.train.weightDecay };
    const validation = await score(scorer, data.validation);
    const result: ModelEvaluation = { val_accuracy: validation.accuracy, val_loss: validation.loss, warnings: [] };
    if (test !== null) {
      const scored = await score(scorer, test);
      result.test_accuracy = scored.accuracy;
      result.test_loss = scored.loss;
    }
    if (task.dataset.useTestSet) {
      result.warnings.push(options.test ? TEST_SET_WAS_VALIDATION : 'the study validated on the test set (use_test_set: true): val_accuracy and val_loss are test-set scores');
    }
    return result;
  } finally {
    model.dispose();
  }
}

function modelError(problem: string, cause?: unknown): HpsearchError {
  return new HpsearchError('E_VALIDATION', `saved model: ${problem}`, cause === undefined ? undefined : { cause });
}

/** The artifact as a Layers model whose output is the logits (see the file's comment). */
export async function loadArtifactModel(tf: Tf, artifact: ModelArtifact): Promise<LayersModel> {
  const { modelTopology, weightsManifest } = artifact.modelJson as { modelTopology?: unknown; weightsManifest?: unknown };
  if (typeof modelTopology !== 'object' || modelTopology === null) throw modelError('model.json has no modelTopology');
  if (!Array.isArray(weightsManifest)) throw modelError('model.json has no weightsManifest');
  const weightSpecs = (weightsManifest as { weights?: unknown }[]).flatMap((group) => (Array.isArray(group.weights) ? group.weights : []));
  const { weights } = artifact;
  // The bytes alone: a Uint8Array may view part of a larger buffer (a database row, an IPC message).
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: logitsTopology(modelTopology as Record<string, unknown>), weightSpecs, weightData }));
  } catch (error) {
    throw modelError(`TF.js cannot load it (${error instanceof Error ? error.message : String(error)})`, error);
  }
}

interface LayerJson {
  class_name?: unknown;
  name?: unknown;
  config?: Record<string, unknown>;
}

/**
 * A copy of a Keras-style topology whose output layer is linear: a softmax activation (of a
 * Dense layer, an Activation layer or a Softmax layer) becomes `linear`. Other outputs are taken
 * to be logits already, as the task's models produce them.
 */
export function logitsTopology(topology: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(topology);
  const config = copy['config'] as { layers?: LayerJson[]; output_layers?: unknown[][] } | LayerJson[] | undefined;
  const layers = Array.isArray(config) ? config : config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw modelError('its topology has no layers');
  let output: LayerJson | undefined = layers[layers.length - 1];
  const outputs = Array.isArray(config) ? undefined : config?.output_layers;
  if (copy['class_name'] !== 'Sequential' && Array.isArray(outputs)) {
    if (outputs.length !== 1) throw modelError(`it has ${outputs.length} outputs; a task model has one (the class scores)`);
    const name = outputs[0]![0];
    output = layers.find((layer) => (layer.name ?? layer.config?.['name']) === name);
  }
  if (output === undefined) return copy;
  if (output.class_name === 'Softmax') {
    output.class_name = 'Activation';
    output.config = { name: output.config?.['name'], trainable: output.config?.['trainable'] ?? true, dtype: output.config?.['dtype'], activation: 'linear' };
  } else if (output.config?.['activation'] === 'softmax') {
    output.config['activation'] = 'linear';
  }
  return copy;
}

/** One example's shape as the model takes it: the artifact's contract, else the model's own input. */
function inputShape(model: LayersModel, artifact: ModelArtifact, features: number): number[] {
  if (model.inputs.length !== 1) throw modelError(`it has ${model.inputs.length} inputs; a task model has one`);
  const shape = artifact.input?.shape ?? model.inputs[0]!.shape.slice(1);
  if (shape.some((d) => d === null)) throw modelError(`its input shape [${shape.join(', ')}] is not fixed`);
  const width = (shape as number[]).reduce((a, b) => a * b, 1);
  if (width !== features) {
    throw modelError(`it takes examples of shape [${shape.join(', ')}] (${width} values), but the dataset's have ${features} features`);
  }
  return shape as number[];
}

interface Scorer {
  tf: Tf;
  model: LayersModel;
  shape: number[];
  classes: number;
  features: number;
  chunk: number;
  lambda: number;
}

/**
 * Accuracy and loss over `examples`, as the training loop's validation pass computes them:
 * float32 sums per chunk, added on the device, read once; the penalty term Σ‖W‖² times the
 * example count in float32, then 0.5·λ·that added and divided in JavaScript.
 */
async function score({ tf, model, shape, classes, features, chunk, lambda }: Scorer, examples: Examples): Promise<{ accuracy: number; loss: number }> {
  const groups = chunks(range(examples.count), chunk);
  const batches = new DeviceBatches(tf, examples, features, classes, groups, { rows: true, columns: false, features: null });
  const losses: Tensor[] = [];
  const correct: Tensor[] = [];
  try {
    for (let g = 0; g < batches.count; g++) {
      tf.tidy(() => {
        const batch = batches.get(g);
        const logits = model.apply(tf.reshape(batch.x!, [batch.size, ...shape]), { training: false }) as Tensor;
        if (logits.rank !== 2 || logits.shape[1] !== classes) {
          throw modelError(`its output has shape [${logits.shape.join(', ')}]; the dataset has ${classes} classes`);
        }
        losses.push(tf.keep(crossEntropySum(tf, logits as Tensor2D, batch.oneHot)));
        correct.push(tf.keep(tf.cast(correctCount(tf, logits as Tensor2D, batch.labels), 'float32')));
      });
    }
    const sums = [tf.addN(losses), tf.addN(correct)];
    if (lambda > 0) sums.push(tf.tidy(() => tf.mul(squaredNorm(tf, kernels(model)), examples.count)));
    try {
      const [lossSum, correctSum, squares = 0] = await Promise.all(sums.map(async (s) => (await s.data())[0]!));
      return { accuracy: correctSum! / examples.count, loss: (lossSum! + 0.5 * lambda * squares) / examples.count };
    } finally {
      sums.forEach((s) => s.dispose());
    }
  } finally {
    [...losses, ...correct].forEach((t) => t.dispose());
    batches.dispose();
  }
}

/** The weights weight decay applies to: the kernels of Dense and Conv2D layers (models/model-types.ts `weights()`). */
function kernels(model: LayersModel): Tensor[] {
  return model.layers
    .filter((layer) => layer.getClassName() === 'Dense' || layer.getClassName() === 'Conv2D')
    .flatMap((layer) => layer.weights.filter((w) => w.originalName.endsWith('kernel')).map((w) => w.read()));
}
