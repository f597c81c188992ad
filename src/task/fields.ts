/**
 * The `objective.task` format as zod schemas, its defaults and the names it accepts.
 *
 * Kept apart from the checks (`schema.ts`) and free of imports from `space/`, because the
 * space-file schema embeds `taskSchema`: importing the other way round would make a cycle.
 * The same leaf schemas check a task key and a param that overrides it (`settings.ts`).
 */
import * as z from 'zod';
import { wordList } from '../format/words.js';
import type {
  Activation,
  BuiltinDatasetName,
  CnnSpec,
  Initializer,
  MlpSpec,
  OptimizerName,
  TrainSpec,
} from './types.js';

/** Every member of a string union; the Record type makes the list complete and exact. */
function members<T extends string>(record: Record<T, true>): [T, ...T[]] {
  return Object.keys(record) as [T, ...T[]];
}

export const DATASET_NAMES = members<BuiltinDatasetName>({ mnist: true, 'fashion-mnist': true });
export const ACTIVATIONS = members<Activation>({ sigmoid: true, tanh: true, relu: true, leaky_relu: true, elu: true, selu: true });
export const INITIALIZERS = members<Initializer>({
  random_normal: true,
  random_uniform: true,
  glorot_normal: true,
  glorot_uniform: true,
  he_normal: true,
  he_uniform: true,
});
export const OPTIMIZERS = members<OptimizerName>({ sgd: true, momentum: true, nesterov: true, adagrad: true, rmsprop: true, adam: true });

/**
 * The settings that only some optimizers read (train/optimizers.ts), each with those optimizers;
 * the others ignore it, so a space that gives it to a trial with another optimizer is refused.
 * epsilon is not adam's alone (as issue #16 lists it): adagrad and rmsprop divide by √a + ε too.
 */
export const OPTIMIZER_SETTINGS = {
  momentum: ['momentum', 'nesterov'],
  beta1: ['adam'],
  beta2: ['adam'],
  rho: ['rmsprop'],
  epsilon: ['adagrad', 'rmsprop', 'adam'],
} as const satisfies Partial<Record<keyof TrainSpec, readonly OptimizerName[]>>;

/** What a task reports per epoch and can therefore optimise. */
export const TASK_METRICS = ['val_accuracy', 'val_loss', 'train_accuracy', 'train_loss'] as const;
export const DEFAULT_TASK_METRIC = 'val_accuracy';

/** Used when neither validation_split nor validation_samples is given (and not use_test_set). */
export const DEFAULT_VALIDATION_SPLIT = 0.2;
/** Bounds `hidden` and `layers`, so a typo like "100x100000000" fails here rather than in an allocation. */
export const MAX_HIDDEN_LAYERS = 1000;

export const TRAIN_DEFAULTS: TrainSpec = {
  optimizer: 'sgd',
  learningRate: 0.01,
  momentum: 0.9,
  beta1: 0.9,
  beta2: 0.999,
  rho: 0.9,
  epsilon: 1e-7,
  batchSize: 100,
  epochs: 10,
  weightDecay: 0,
  schedule: { type: 'constant' },
  clipValue: null,
  clipNorm: null,
  maxNorm: null,
};

/** The book's 784-100×6-10 network, He-initialised for ReLU. */
export const MLP_DEFAULTS: MlpSpec = {
  type: 'mlp',
  hidden: [100, 100, 100, 100, 100, 100],
  activation: 'relu',
  initializer: 'he_normal',
  initStd: 0.01,
  batchNorm: false,
  dropout: 0,
};

/** The seeds' CNN: conv 32 → pool → conv 64 → pool → dense 512 → dropout 0.5 → softmax. */
export const CNN_DEFAULTS: CnnSpec = {
  type: 'cnn',
  filters: [32, 64],
  kernel: 3,
  dense: 512,
  dropout: 0.5,
  activation: 'relu',
  initializer: 'he_normal',
  initStd: 0.01,
};

/**
 * An enum whose wrong values read `unknown <noun> "x"; did you mean ...?`. The noun travels as
 * the JSON Schema title, which `checkValue` (space/schema.ts) reads back.
 */
export function namedEnum<T extends string>(noun: string, values: readonly [T, ...T[]]) {
  return z.enum(values).meta({ title: noun });
}

const HIDDEN_REPEAT = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/;
const HIDDEN_LIST = /^\s*\d+(\s*-\s*\d+)*\s*$/;
/** The string forms of `hidden`: "100x6" (width × depth) or "512-256-128". */
export const HIDDEN_STRING_PATTERN = /^\s*\d+\s*[x×]\s*\d+\s*$|^\s*\d+(\s*-\s*\d+)*\s*$/;

/** Layer widths from "100x6" or "512-512-512"; undefined when the text is neither or a width/depth is 0. */
export function parseHidden(text: string): number[] | undefined {
  let widths: number[];
  const repeat = HIDDEN_REPEAT.exec(text);
  if (repeat) {
    const depth = Number(repeat[2]);
    if (depth < 1 || depth > MAX_HIDDEN_LAYERS) return undefined;
    widths = Array.from({ length: depth }, () => Number(repeat[1]));
  } else if (HIDDEN_LIST.test(text)) {
    widths = text.split('-').map((part) => Number(part.trim()));
    if (widths.length > MAX_HIDDEN_LAYERS) return undefined;
  } else {
    return undefined;
  }
  return widths.every((w) => Number.isSafeInteger(w) && w >= 1) ? widths : undefined;
}

export const HIDDEN_EXPECTED = 'layer widths such as [100, 100], "100x6" (width × layers) or "512-256-128"';

const fraction = (what: string) => z.number().min(0).lt(1).optional().describe(what);
const width = z.int().min(1);

export const hiddenSchema = z
  .union([z.array(width).min(1).max(MAX_HIDDEN_LAYERS), z.string().regex(HIDDEN_STRING_PATTERN)])
  .describe(`Hidden layer widths: a list, "100x6" (width × layers) or "512-256-128". Default "${MLP_DEFAULTS.hidden[0]}x${MLP_DEFAULTS.hidden.length}".`);

// ---------------------------------------------------------------- dataset

const datasetFields = {
  train_samples: z.int().min(1).optional().describe('Use the first N training examples (before shuffling). Default: all.'),
  validation_split: z.number().gt(0).lt(1).optional()
    .describe(`Fraction of the training examples held out for validation. Default ${DEFAULT_VALIDATION_SPLIT} unless validation_samples or use_test_set is given.`),
  validation_samples: z.int().min(1).optional()
    .describe('Validation examples: held out of the training set, or with use_test_set the first N of the test set. Not with validation_split.'),
  use_test_set: z.boolean().optional().describe('Validate on the test set instead of held-out training examples. Default false.'),
  scale: z.boolean().optional().describe('Divide features by 255 (pixels to [0, 1]). Default true for images (builtin, idx), false for csv.'),
  shuffle: z.boolean().optional().describe('Shuffle the training examples (with the study seed) before splitting. Default true.'),
};

const datasetNameSchema = namedEnum('dataset', DATASET_NAMES);

export const DATASET_SCHEMAS = {
  builtin: z.strictObject({
    type: z.literal('builtin').optional().describe('Default when name is given.'),
    name: datasetNameSchema.describe('A built-in dataset, downloaded on first use.'),
    ...datasetFields,
  }),
  idx: z.strictObject({
    type: z.literal('idx'),
    images: z.string().min(1).describe('IDX image file, relative to the search-space file.'),
    labels: z.string().min(1).describe('IDX label file, relative to the search-space file.'),
    test: z
      .strictObject({
        images: z.string().min(1).describe('IDX image file of the test set, items shaped as the training images.'),
        labels: z.string().min(1).describe('IDX label file of the test set.'),
      })
      .optional()
      .describe('The test set: what `hpsearch evaluate --test` scores, and use_test_set validates on. Paths relative to the search-space file.'),
    ...datasetFields,
  }),
  csv: z.strictObject({
    type: z.literal('csv'),
    path: z.string().min(1).describe('CSV file with a header row, relative to the search-space file.'),
    label_column: z.string().min(1).optional().describe('Column holding the integer class label. Default "label".'),
    test: z
      .strictObject({ path: z.string().min(1).describe('CSV file of the test set, with the same columns as the training file.') })
      .optional()
      .describe('The test set: what `hpsearch evaluate --test` scores, and use_test_set validates on. Path relative to the search-space file.'),
    ...datasetFields,
  }),
} as const;
export type DatasetKind = keyof typeof DATASET_SCHEMAS;

// ---------------------------------------------------------------- model

const activation = namedEnum('activation', ACTIVATIONS);
const initializer = namedEnum('initializer', INITIALIZERS);

const modelFields = {
  activation: activation.optional().describe(`Default ${MLP_DEFAULTS.activation}.`),
  initializer: initializer.optional().describe(`Default ${MLP_DEFAULTS.initializer}.`),
  init_std: z.number().positive().optional()
    .describe(`Standard deviation of random_normal, half-width of random_uniform. Default ${MLP_DEFAULTS.initStd}.`),
};

export const mlpFields = {
  hidden: hiddenSchema.optional(),
  ...modelFields,
  batch_norm: z.boolean().optional().describe('Batch normalisation after each hidden layer. Default false.'),
  dropout: fraction(`Dropout rate after each hidden layer, in [0, 1). Default ${MLP_DEFAULTS.dropout}.`),
};

export const cnnFields = {
  filters: z.array(width).min(1).optional().describe(`Filters of each conv → pool block. Default [${CNN_DEFAULTS.filters.join(', ')}].`),
  kernel: width.optional().describe(`Convolution kernel size. Default ${CNN_DEFAULTS.kernel}.`),
  dense: width.optional().describe(`Units of the dense layer before the output. Default ${CNN_DEFAULTS.dense}.`),
  ...modelFields,
  dropout: fraction(`Dropout rate before the output layer, in [0, 1). Default ${CNN_DEFAULTS.dropout}.`),
};

export const MODEL_SCHEMAS = {
  mlp: z.strictObject({ type: z.literal('mlp').optional().describe('Default mlp.'), ...mlpFields }),
  cnn: z.strictObject({ type: z.literal('cnn'), ...cnnFields }),
} as const;
export type ModelKind = keyof typeof MODEL_SCHEMAS;

// ---------------------------------------------------------------- training

const every = z.int().min(1).optional().describe('Epochs per decay period. Default 1.');

export const SCHEDULE_SCHEMAS = {
  constant: z.strictObject({ type: z.literal('constant') }),
  exponential: z.strictObject({ type: z.literal('exponential'), rate: z.number().positive().describe('lr × rate ^ (epoch / every).'), every }),
  step: z.strictObject({ type: z.literal('step'), factor: z.number().positive().describe('lr × factor ^ floor(epoch / every).'), every }),
  power: z.strictObject({ type: z.literal('power'), power: z.number().positive().describe('lr × (1 + epoch / every) ^ -power.'), every }),
} as const;
export type ScheduleKind = keyof typeof SCHEDULE_SCHEMAS;

const positive = (what: string) => z.number().positive().optional().describe(what);
const limit = (what: string) => z.number().positive().nullable().optional().describe(`${what} Default null (off).`);
const d = TRAIN_DEFAULTS;
const readBy = Object.fromEntries(Object.entries(OPTIMIZER_SETTINGS).map(([key, names]) => [key, wordList(names)])) as Record<keyof typeof OPTIMIZER_SETTINGS, string>;

export const trainFields = {
  optimizer: namedEnum('optimizer', OPTIMIZERS).optional().describe(`Default ${d.optimizer}.`),
  learning_rate: positive(`Default ${d.learningRate}.`),
  momentum: fraction(`${readBy.momentum}, in [0, 1). Default ${d.momentum}.`),
  beta1: fraction(`${readBy.beta1}, in [0, 1). Default ${d.beta1}.`),
  beta2: fraction(`${readBy.beta2}, in [0, 1). Default ${d.beta2}.`),
  rho: fraction(`${readBy.rho} decay, in [0, 1). Default ${d.rho}.`),
  epsilon: positive(`${readBy.epsilon}. Default ${d.epsilon}.`),
  batch_size: width.optional().describe(`Default ${d.batchSize}.`),
  epochs: width.optional().describe(`Default ${d.epochs}.`),
  weight_decay: z.number().min(0).optional().describe('L2 penalty 0.5 × λ × Σ‖W‖² over weight matrices. Default 0.'),
  schedule: z
    .discriminatedUnion('type', [SCHEDULE_SCHEMAS.constant, SCHEDULE_SCHEMAS.exponential, SCHEDULE_SCHEMAS.step, SCHEDULE_SCHEMAS.power])
    .optional()
    .describe('Learning-rate schedule per epoch. Default constant.'),
  clip_value: limit('Clip each gradient element to [-v, v].'),
  clip_norm: limit('Rescale the gradients to a global norm of at most n.'),
  max_norm: limit('Rescale each weight matrix column to a norm of at most m after each step.'),
};

export const trainSchema = z.strictObject(trainFields);

export const taskSchema = z.strictObject({
  dataset: z
    .union([datasetNameSchema, DATASET_SCHEMAS.builtin, DATASET_SCHEMAS.idx, DATASET_SCHEMAS.csv])
    .describe('A built-in dataset by name, or { type: idx, images, labels } / { type: csv, path }.'),
  model: z.union([MODEL_SCHEMAS.mlp, MODEL_SCHEMAS.cnn]).optional().describe('Default: mlp with the defaults of its keys.'),
  train: trainSchema.optional().describe('Optimiser and training loop. Every key has a default.'),
});
