/**
 * A trained model kept as a trial's result (issue 17): what a worker sends with a trial's outcome,
 * what the storage keeps for the study's best trials, and what `hpsearch export` writes out.
 * Plain data, so it crosses a worker's port, a worker process's IPC channel and a database alike.
 */

/**
 * How to feed the model: what `hpsearch.json` records as its input contract. Null for a user's
 * own model (`ctx.saveModel`), whose inputs hpsearch does not know.
 */
export interface ModelInput {
  /** One example's shape, e.g. [784] for an MLP on MNIST, [28, 28, 1] for a CNN. */
  shape: number[];
  /** How raw inputs become what the model was trained on, in words and as a formula, e.g. "pixel / 255". */
  scaling: string;
  /** Class names by output index, when the dataset has them; null for plain indices. */
  labels: string[] | null;
}

/**
 * A model in the TF.js Layers format, as `tf.loadLayersModel(tf.io.fromMemory(...))` takes it:
 * `modelJson` is the content of `model.json` (`modelTopology`, `format: 'layers-model'`, and a
 * `weightsManifest` whose one group names the file `weights.bin`), `weights` that file's bytes.
 */
export interface ModelArtifact {
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
  input: ModelInput | null;
  /** The step (epoch) whose weights these are: the last one, or the best one with early_stopping.restore_best. */
  step: number | null;
}

/** The name the weights file has in `modelJson`'s manifest and on disk after an export. */
export const MODEL_WEIGHTS_FILE = 'weights.bin';
