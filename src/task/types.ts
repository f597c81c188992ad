/**
 * Built-in training tasks: what a space file's `objective.task` describes once validated and
 * merged with a trial's params. A trial's params override the task setting of the same name
 * (see TASK_SETTING_NAMES), so `learning_rate: { type: float, ... }` in params searches the
 * optimizer's learning rate.
 */

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

// ---------------------------------------------------------------- datasets

export type BuiltinDatasetName = 'mnist' | 'fashion-mnist';

export type DatasetSource =
  | { type: 'builtin'; name: BuiltinDatasetName }
  /** IDX files (as MNIST ships them), absolute paths; `test`, the test set's pair of the same item shape. */
  | { type: 'idx'; images: string; labels: string; test?: { images: string; labels: string } }
  /**
   * A CSV file with a header row; one column holds the integer class label, the rest are features.
   * `test`, a CSV of the same columns holding the test set.
   */
  | { type: 'csv'; path: string; labelColumn: string; test?: { path: string } };

export interface DatasetSpec {
  source: DatasetSource;
  /** Use the first N training examples (before shuffling), e.g. 500 for the book's best-5. */
  trainSamples?: number;
  /** Validation examples held out of the (limited) training set: a count... */
  validationSamples?: number;
  /** ...or a fraction of it (default 0.2 when neither is given). */
  validationSplit?: number;
  /** Validate on the dataset's test set instead of a held-out part of the training set. */
  useTestSet: boolean;
  /** Scale features to [0, 1] (pixels / 255). Default true. */
  scale: boolean;
  /** Shuffle the training examples before splitting, with the study seed. Default true. */
  shuffle: boolean;
}

/** Examples as flat arrays: x is n × features (row-major), y holds class indices. */
export interface Examples {
  x: Float32Array;
  y: Int32Array;
  count: number;
}

export interface LoadedDataset {
  train: Examples;
  validation: Examples;
  /** Features per example, e.g. 784. */
  features: number;
  /** Image shape [height, width, channels] when the data are images (needed by cnn), else null. */
  imageShape: [number, number, number] | null;
  classes: number;
}

// ---------------------------------------------------------------- models

export type Activation = 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'elu' | 'selu';
export type Initializer =
  | 'random_normal'
  | 'random_uniform'
  | 'glorot_normal'
  | 'glorot_uniform'
  | 'he_normal'
  | 'he_uniform';

export interface MlpSpec {
  type: 'mlp';
  /** Hidden layer widths, e.g. [100, 100, 100, 100, 100, 100] for the book's 784-100×6-10. */
  hidden: number[];
  activation: Activation;
  initializer: Initializer;
  /** Standard deviation for random_normal (and half-width for random_uniform). Default 0.01. */
  initStd: number;
  batchNorm: boolean;
  /** Dropout rate after each hidden layer (0 = none). */
  dropout: number;
}

export interface CnnSpec {
  type: 'cnn';
  /** conv filters per block: the seeds' CNN is [32, 64] (conv → pool each). */
  filters: number[];
  kernel: number;
  dense: number;
  dropout: number;
  activation: Activation;
  initializer: Initializer;
  initStd: number;
}

export type ModelSpec = MlpSpec | CnnSpec;

// ---------------------------------------------------------------- training

export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';

export type Schedule =
  | { type: 'constant' }
  /** lr * rate ** (epoch / every) */
  | { type: 'exponential'; rate: number; every: number }
  /** lr * factor ** floor(epoch / every) */
  | { type: 'step'; factor: number; every: number }
  /** lr * (1 + epoch / every) ** -power */
  | { type: 'power'; power: number; every: number };

export interface TrainSpec {
  optimizer: OptimizerName;
  learningRate: number;
  /** momentum / nesterov. Default 0.9. */
  momentum: number;
  /** adam. Defaults 0.9, 0.999. */
  beta1: number;
  beta2: number;
  /** rmsprop decay. Default 0.9. */
  rho: number;
  epsilon: number;
  batchSize: number;
  epochs: number;
  /** L2 penalty 0.5 * λ * Σ‖W‖² over weight matrices (not biases), as in the book. */
  weightDecay: number;
  schedule: Schedule;
  /** Clip each gradient element to [-v, v]. */
  clipValue: number | null;
  /** Rescale the gradients so their global norm is at most n. */
  clipNorm: number | null;
  /** After each step, rescale each weight matrix's incoming-weight columns to norm <= m. */
  maxNorm: number | null;
}

export interface TaskSpec {
  dataset: DatasetSpec;
  model: ModelSpec;
  train: TrainSpec;
}

/** One epoch's metrics, reported through ctx.report(epoch, ...) and stored per step. */
export interface EpochMetrics {
  train_loss: number;
  train_accuracy: number;
  val_loss: number;
  val_accuracy: number;
  learning_rate: number;
  [name: string]: number;
}
