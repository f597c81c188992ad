/** Round trips of exported task models: real MNIST examples, real training steps, plain tf.loadLayersModel. */
import type { io, LayersModel, Tensor } from '@tensorflow/tfjs';
import { loadDatasetCached } from '../../../src/task/datasets/index.js';
import type { ModelArtifact } from '../../../src/storage/model-artifact.js';
import type { Tf } from '../../../src/task/tf.js';
import type { DatasetSpec, LoadedDataset } from '../../../src/task/types.js';

/** The first 300 MNIST training images, 100 of them held out: enough for its always-zero border pixels. */
export const MNIST_SMALL: DatasetSpec = {
  source: { type: 'builtin', name: 'mnist' },
  trainSamples: 300,
  validationSamples: 100,
  useTestSet: false,
  scale: true,
  shuffle: true,
};

export function mnistSmall(): Promise<LoadedDataset> {
  return loadDatasetCached(MNIST_SMALL, 7);
}

/** The artifact loaded as any TF.js user would: tf.loadLayersModel from model.json's content and the weights' bytes. */
export function loadArtifact(tf: Tf, artifact: ModelArtifact): Promise<LayersModel> {
  const manifest = artifact.modelJson['weightsManifest'] as { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: artifact.modelJson['modelTopology'] as object,
      weightSpecs: manifest.flatMap((group) => group.weights),
      weightData: artifact.weights.slice().buffer,
    }),
  );
}

/** The loaded model's outputs for examples x (flat, `features` each), fed in the artifact's input shape. */
export function predict(tf: Tf, model: LayersModel, artifact: ModelArtifact, x: Float32Array): Float32Array {
  const shape = artifact.input!.shape;
  const width = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => (model.predict(tf.tensor(x, [x.length / width, ...shape])) as Tensor).dataSync() as Float32Array);
}

export function argmaxRows(values: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < values.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (values[r * classes + c]! > values[r * classes + best]!) best = c;
    out.push(best);
  }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Mean softmax cross-entropy of logits against labels (what the trainer reports as val_loss, without a penalty). */
export function meanCrossEntropy(logits: Float32Array, labels: Int32Array, classes: number): number {
  let sum = 0;
  for (let r = 0; r < labels.length; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    sum += logSum - row[labels[r]!]!;
  }
  return sum / labels.length;
}

/** The largest difference between two exported models' weights, tensor by tensor (their shapes must agree). */
export async function maxWeightDifference(tf: Tf, a: ModelArtifact, b: ModelArtifact): Promise<number> {
  const [ma, mb] = await Promise.all([loadArtifact(tf, a), loadArtifact(tf, b)]);
  try {
    const wa = ma.getWeights();
    const wb = mb.getWeights();
    if (JSON.stringify(wa.map((w) => w.shape)) !== JSON.stringify(wb.map((w) => w.shape))) {
      throw new Error(`the models' weights differ in shape: ${JSON.stringify(wa.map((w) => w.shape))} vs ${JSON.stringify(wb.map((w) => w.shape))}`);
    }
    return Math.max(...wa.map((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, wb[i]!))).dataSync()[0]!)));
  } finally {
    ma.dispose();
    mb.dispose();
  }
}
