/**
 * Checks `objective.task` of a space file and normalises it to a `TaskSpec` (snake_case keys in
 * the file, camelCase in the spec, defaults filled in).
 *
 * The format itself is in `fields.ts`. Like the rest of the loader, every problem is collected
 * as a `RawIssue` with its path in the document, so line numbers and did-you-mean work here too.
 */
import path from 'node:path';
import { fileKind } from '../space/file-kind.js';
import { suggestion } from '../space/did-you-mean.js';
import { checkFields, checkValue, checkVariant, describeValue, isMapping } from '../space/schema.js';
import { type PathSegment, type RawIssue } from '../space/raw-issue.js';
import {
  CNN_DEFAULTS,
  DATASET_SCHEMAS,
  DEFAULT_TASK_METRIC,
  DEFAULT_VALIDATION_SPLIT,
  HIDDEN_EXPECTED,
  MLP_DEFAULTS,
  MODEL_SCHEMAS,
  SCHEDULE_SCHEMAS,
  TASK_METRICS,
  TRAIN_DEFAULTS,
  hiddenSchema,
  parseHidden,
  taskSchema,
  trainSchema,
  type DatasetKind,
  type ModelKind,
  type ScheduleKind,
} from './fields.js';
import type { BuiltinDatasetName, DatasetSource, DatasetSpec, ModelSpec, Schedule, TaskSpec, TrainSpec } from './types.js';

export interface CheckTaskOptions {
  /** false: do not check that data files exist, e.g. a stored study whose files moved. Default true. */
  checkFiles?: boolean;
}

/**
 * Checks the task and the metric of an objective that has `task`. Returns the task when both are
 * valid; the caller fills the metric default (`DEFAULT_TASK_METRIC`).
 */
export function checkTaskObjective(
  objective: Record<string, unknown>,
  baseDir: string,
  issues: RawIssue[],
  options: CheckTaskOptions = {},
): TaskSpec | undefined {
  const before = issues.length;
  const task = checkTask(objective.task, ['objective', 'task'], baseDir, issues, options);
  const metric = objective.metric;
  if (typeof metric === 'string' && !(TASK_METRICS as readonly string[]).includes(metric)) {
    issues.push({
      path: ['objective', 'metric'],
      message: `a built-in task reports ${TASK_METRICS.join(', ')}; got ${JSON.stringify(metric)}${suggestion(metric, TASK_METRICS)}`,
    });
  }
  return issues.length > before ? undefined : task;
}

export { DEFAULT_TASK_METRIC };

export function checkTask(
  raw: unknown,
  at: PathSegment[],
  baseDir: string,
  issues: RawIssue[],
  options: CheckTaskOptions = {},
): TaskSpec | undefined {
  if (!isMapping(raw)) {
    issues.push({ path: at, message: `expected a mapping with dataset, model and train, got ${describeValue(raw)}` });
    return undefined;
  }
  const before = issues.length;
  checkFields(raw, taskSchema, at, issues, { nested: ['dataset', 'model', 'train'] });
  const dataset = checkDataset(raw.dataset, [...at, 'dataset'], baseDir, issues, options);
  const model = checkModel(raw.model, [...at, 'model'], issues);
  const train = checkTrain(raw.train, [...at, 'train'], issues);
  if (issues.length > before || !dataset || !model || !train) return undefined;
  return { dataset, model, train };
}

// ---------------------------------------------------------------- dataset

function checkDataset(value: unknown, at: PathSegment[], baseDir: string, issues: RawIssue[], options: CheckTaskOptions): DatasetSpec | undefined {
  if (value === undefined) return undefined; // reported as a missing key
  // `dataset: mnist` is short for `dataset: { name: mnist }`.
  const fields = typeof value === 'string' ? { name: value } : value;
  if (!isMapping(fields)) {
    issues.push({ path: at, message: `expected a dataset name (mnist, fashion-mnist) or a mapping, got ${describeValue(value)}` });
    return undefined;
  }
  if (fields.type === undefined && fields.name === undefined) {
    issues.push({ path: at, message: 'give name: mnist | fashion-mnist (a built-in dataset) or type: idx | csv with its files' });
    return undefined;
  }
  // A string shorthand has no keys to point at: its issues go to the dataset itself.
  const keyPath = typeof value === 'string' ? () => at : (key: string) => [...at, key];
  const before = issues.length;
  const variant = checkVariant({ ...fields, type: fields.type ?? 'builtin' }, 'type', DATASET_SCHEMAS, at, issues, {
    unknown: 'unknown dataset type',
    usedBy: (key, types) => `"${key}" is only used by type: ${types.join(' or ')} datasets`,
  });
  if (typeof value === 'string') for (const issue of issues.slice(before)) issue.path = at;
  if (variant === undefined) return undefined;

  const { train_samples: trainSamples, validation_split: split, validation_samples: samples } = fields;
  const useTestSet = fields.use_test_set === true;
  if (split !== undefined && samples !== undefined) {
    issues.push({ path: keyPath('validation_samples'), message: 'give validation_split or validation_samples, not both' });
  } else if (split !== undefined && useTestSet) {
    issues.push({
      path: keyPath('validation_split'),
      message: 'validation_split holds out part of the training set, but use_test_set: true validates on the test set; remove it (validation_samples limits the test examples)',
    });
  }
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
  if (!useTestSet && count(samples) && count(trainSamples) && samples >= trainSamples) {
    issues.push({
      path: keyPath('validation_samples'),
      message: `validation_samples (${samples}) must be less than train_samples (${trainSamples}): the rest are the training examples`,
    });
  }
  const source = datasetSource(variant.kind, fields, keyPath, baseDir, issues, options);
  if (issues.length > before || source === undefined) return undefined;

  const spec: DatasetSpec = {
    source,
    useTestSet,
    // Pixels (builtin and IDX images) are scaled by default; a CSV's features are left as they are.
    scale: (fields.scale as boolean | undefined) ?? source.type !== 'csv',
    shuffle: (fields.shuffle as boolean | undefined) ?? true,
  };
  if (trainSamples !== undefined) spec.trainSamples = trainSamples as number;
  if (samples !== undefined) spec.validationSamples = samples as number;
  else if (split !== undefined) spec.validationSplit = split as number;
  else if (!useTestSet) spec.validationSplit = DEFAULT_VALIDATION_SPLIT;
  return spec;
}

function datasetSource(
  kind: DatasetKind,
  fields: Record<string, unknown>,
  keyPath: (key: string) => PathSegment[],
  baseDir: string,
  issues: RawIssue[],
  options: CheckTaskOptions,
): DatasetSource | undefined {
  const inside = (value: unknown, at: PathSegment[]): string | undefined => {
    if (typeof value !== 'string' || value === '') return undefined;
    const resolved = path.resolve(baseDir, value);
    const kind = options.checkFiles === false ? 'file' : fileKind(resolved);
    if (kind !== 'file') {
      const problem = kind === 'missing' ? 'file not found' : 'path is a directory, not a file';
      issues.push({ path: at, message: `${problem}: ${resolved} (data paths are relative to the search-space file's folder)` });
      return undefined;
    }
    return resolved;
  };
  const file = (key: string): string | undefined => inside(fields[key], keyPath(key));
  // The test entry's own files; its shape (a mapping of strings) was checked with the dataset's fields.
  const test = fields.test as Record<string, unknown> | undefined;
  const testFile = (key: string): string | undefined => inside(test?.[key], [...keyPath('test'), key]);
  switch (kind) {
    case 'builtin':
      return { type: 'builtin', name: fields.name as BuiltinDatasetName };
    case 'idx': {
      const images = file('images');
      const labels = file('labels');
      if (images === undefined || labels === undefined) return undefined;
      if (test === undefined) return { type: 'idx', images, labels };
      const testImages = testFile('images');
      const testLabels = testFile('labels');
      return testImages !== undefined && testLabels !== undefined ? { type: 'idx', images, labels, test: { images: testImages, labels: testLabels } } : undefined;
    }
    case 'csv': {
      const csv = file('path');
      const labelColumn = (fields.label_column as string | undefined) ?? 'label';
      if (csv === undefined) return undefined;
      if (test === undefined) return { type: 'csv', path: csv, labelColumn };
      const testCsv = testFile('path');
      return testCsv !== undefined ? { type: 'csv', path: csv, labelColumn, test: { path: testCsv } } : undefined;
    }
  }
}

// ---------------------------------------------------------------- model

function checkModel(value: unknown, at: PathSegment[], issues: RawIssue[]): ModelSpec | undefined {
  if (value === undefined) return { ...MLP_DEFAULTS, hidden: [...MLP_DEFAULTS.hidden] };
  if (!isMapping(value)) {
    issues.push({ path: at, message: `expected a mapping such as { type: mlp, hidden: [100, 100] }, got ${describeValue(value)}` });
    return undefined;
  }
  const kind = value.type ?? 'mlp';
  const variant = checkVariant({ ...value, type: kind }, 'type', MODEL_SCHEMAS, at, issues, {
    unknown: 'unknown model type',
    usedBy: (key, types) => `"${key}" is only used by ${types.join(' and ')} models`,
  }, ['hidden']);
  if (variant === undefined) return undefined;
  const hidden = variant.kind === 'mlp' && value.hidden !== undefined ? checkHidden(value.hidden, [...at, 'hidden'], issues) : undefined;
  if (!variant.ok || (value.hidden !== undefined && hidden === undefined)) return undefined;
  return buildModel(variant.kind, value, hidden);
}

function buildModel(kind: ModelKind, value: Record<string, unknown>, hidden: number[] | undefined): ModelSpec {
  const shared = (defaults: typeof MLP_DEFAULTS | typeof CNN_DEFAULTS) => ({
    activation: (value.activation as ModelSpec['activation'] | undefined) ?? defaults.activation,
    initializer: (value.initializer as ModelSpec['initializer'] | undefined) ?? defaults.initializer,
    initStd: (value.init_std as number | undefined) ?? defaults.initStd,
    dropout: (value.dropout as number | undefined) ?? defaults.dropout,
  });
  if (kind === 'cnn') {
    return {
      type: 'cnn',
      filters: [...((value.filters as number[] | undefined) ?? CNN_DEFAULTS.filters)],
      kernel: (value.kernel as number | undefined) ?? CNN_DEFAULTS.kernel,
      dense: (value.dense as number | undefined) ?? CNN_DEFAULTS.dense,
      ...shared(CNN_DEFAULTS),
    };
  }
  return {
    type: 'mlp',
    hidden: hidden ?? [...MLP_DEFAULTS.hidden],
    batchNorm: (value.batch_norm as boolean | undefined) ?? MLP_DEFAULTS.batchNorm,
    ...shared(MLP_DEFAULTS),
  };
}

/** A list of widths or its string form; zod's union message would not say which forms exist. */
export function checkHidden(value: unknown, at: PathSegment[], issues: RawIssue[]): number[] | undefined {
  if (Array.isArray(value)) {
    return checkValue(value, hiddenSchema.options[0], at, issues) ? (value as number[]) : undefined;
  }
  const widths = typeof value === 'string' ? parseHidden(value) : undefined;
  if (widths === undefined) issues.push({ path: at, message: `expected ${HIDDEN_EXPECTED}, got ${describeValue(value)}` });
  return widths;
}

// ---------------------------------------------------------------- training

function checkTrain(value: unknown, at: PathSegment[], issues: RawIssue[]): TrainSpec | undefined {
  if (value === undefined) return { ...TRAIN_DEFAULTS, schedule: { type: 'constant' } };
  if (!isMapping(value)) {
    issues.push({ path: at, message: `expected a mapping such as { optimizer: sgd, learning_rate: 0.01 }, got ${describeValue(value)}` });
    return undefined;
  }
  const ok = checkFields(value, trainSchema, at, issues, { nested: ['schedule'] });
  const schedule = value.schedule === undefined ? { type: 'constant' as const } : checkSchedule(value.schedule, [...at, 'schedule'], issues);
  if (!ok || schedule === undefined) return undefined;
  const d = TRAIN_DEFAULTS;
  const get = <T>(key: string, fallback: T): T => (value[key] as T | undefined) ?? fallback;
  return {
    optimizer: get('optimizer', d.optimizer),
    learningRate: get('learning_rate', d.learningRate),
    momentum: get('momentum', d.momentum),
    beta1: get('beta1', d.beta1),
    beta2: get('beta2', d.beta2),
    rho: get('rho', d.rho),
    epsilon: get('epsilon', d.epsilon),
    batchSize: get('batch_size', d.batchSize),
    epochs: get('epochs', d.epochs),
    weightDecay: get('weight_decay', d.weightDecay),
    schedule,
    clipValue: get('clip_value', d.clipValue),
    clipNorm: get('clip_norm', d.clipNorm),
    maxNorm: get('max_norm', d.maxNorm),
  };
}

function checkSchedule(value: unknown, at: PathSegment[], issues: RawIssue[]): Schedule | undefined {
  if (!isMapping(value)) {
    issues.push({ path: at, message: `expected a mapping such as { type: exponential, rate: 0.96, every: 1 }, got ${describeValue(value)}` });
    return undefined;
  }
  const variant = checkVariant(value, 'type', SCHEDULE_SCHEMAS, at, issues, {
    unknown: 'unknown schedule type',
    usedBy: (key, types) => `"${key}" is only used by ${types.join(' and ')} schedules`,
  });
  if (variant === undefined || !variant.ok) return undefined;
  const every = (value.every as number | undefined) ?? 1;
  const kind: ScheduleKind = variant.kind;
  switch (kind) {
    case 'constant':
      return { type: 'constant' };
    case 'exponential':
      return { type: 'exponential', rate: value.rate as number, every };
    case 'step':
      return { type: 'step', factor: value.factor as number, every };
    case 'power':
      return { type: 'power', power: value.power as number, every };
  }
}
