/**
 * Params override task settings of the same name: `learning_rate: { type: float, ... }` in a
 * space's params searches the optimizer's learning rate of its built-in task.
 *
 * `checkTaskParams` proves at load time that every value a param can take is a valid setting,
 * so `taskForTrial` only meets values that were checked (it still refuses others, for callers
 * that build params in code).
 */
import * as z from 'zod';
import { HpsearchError } from '../errors.js';
import { suggestion } from '../space/did-you-mean.js';
import type { ParamCheckOptions } from '../space/objective-kind.js';
import { checkValue, describeValue, isMapping } from '../space/schema.js';
import { type PathSegment, type RawIssue } from '../space/raw-issue.js';
import type { ParamSpec, ParamSpecs, ParamValue, Params } from '../space/types.js';
import { HIDDEN_EXPECTED, MAX_HIDDEN_LAYERS, cnnFields, mlpFields, parseHidden, trainFields, type ModelKind } from './fields.js';
import { checkOptimizerUse } from './optimizer-use.js';
import type { CnnSpec, MlpSpec, TaskSpec, TrainSpec } from './types.js';

type ValueKind = 'number' | 'int' | 'choice' | 'boolean';

interface Setting {
  /** One value of the setting as a param gives it. */
  schema: z.ZodType;
  kind: ValueKind;
  /** Model types that have it; undefined for training settings. */
  models?: readonly ModelKind[];
  apply: (task: TaskSpec, value: ParamValue) => void;
}

const train = (key: keyof TrainSpec, schema: z.ZodType, kind: ValueKind): Setting => ({
  schema,
  kind,
  apply: (task, value) => {
    (task.train as unknown as Record<string, unknown>)[key] = value;
  },
});

const BOTH: readonly ModelKind[] = ['mlp', 'cnn'];
const model = (key: keyof MlpSpec | keyof CnnSpec, schema: z.ZodType, kind: ValueKind, models = BOTH): Setting => ({
  schema,
  kind,
  models,
  apply: (task, value) => {
    (task.model as unknown as Record<string, unknown>)[key] = value;
  },
});

const layerCount = z.int().min(1).max(MAX_HIDDEN_LAYERS);

const SETTINGS = {
  learning_rate: train('learningRate', trainFields.learning_rate, 'number'),
  weight_decay: train('weightDecay', trainFields.weight_decay, 'number'),
  optimizer: train('optimizer', trainFields.optimizer, 'choice'),
  momentum: train('momentum', trainFields.momentum, 'number'),
  beta1: train('beta1', trainFields.beta1, 'number'),
  beta2: train('beta2', trainFields.beta2, 'number'),
  rho: train('rho', trainFields.rho, 'number'),
  epsilon: train('epsilon', trainFields.epsilon, 'number'),
  batch_size: train('batchSize', trainFields.batch_size, 'int'),
  epochs: train('epochs', trainFields.epochs, 'int'),
  clip_value: train('clipValue', trainFields.clip_value, 'number'),
  clip_norm: train('clipNorm', trainFields.clip_norm, 'number'),
  max_norm: train('maxNorm', trainFields.max_norm, 'number'),
  activation: model('activation', mlpFields.activation, 'choice'),
  initializer: model('initializer', mlpFields.initializer, 'choice'),
  init_std: model('initStd', mlpFields.init_std, 'number'),
  batch_norm: model('batchNorm', mlpFields.batch_norm, 'boolean', ['mlp']),
  dropout: model('dropout', mlpFields.dropout, 'number'),
  // An int is the width of every hidden layer (the depth stays); a string is the whole list.
  hidden: {
    schema: z.int().min(1),
    kind: 'int',
    models: ['mlp'],
    apply: (task, value) => {
      const mlp = task.model as MlpSpec;
      mlp.hidden = typeof value === 'string' ? parseHidden(value)! : mlp.hidden.map(() => value as number);
    },
  },
  // The depth, every layer as wide as the first.
  layers: {
    schema: layerCount,
    kind: 'int',
    models: ['mlp'],
    apply: (task, value) => {
      const mlp = task.model as MlpSpec;
      mlp.hidden = Array.from({ length: value as number }, () => mlp.hidden[0]!);
    },
  },
  kernel: model('kernel', cnnFields.kernel, 'int', ['cnn']),
  dense: model('dense', cnnFields.dense, 'int', ['cnn']),
} satisfies Record<string, Setting>;

export type TaskSettingName = keyof typeof SETTINGS;
/** The params a built-in task understands, each overriding the model or train key of that name. */
export const TASK_SETTING_NAMES = Object.keys(SETTINGS) as readonly TaskSettingName[];

/** Short names people use for the same thing, for the did-you-mean of an unknown param. */
const ALIASES: Record<string, TaskSettingName> = {
  lr: 'learning_rate',
  wd: 'weight_decay',
  l2: 'weight_decay',
  lambda: 'weight_decay',
  bs: 'batch_size',
  units: 'hidden',
  width: 'hidden',
  depth: 'layers',
};

function settingOf(name: string): Setting | undefined {
  return Object.hasOwn(SETTINGS, name) ? SETTINGS[name as TaskSettingName] : undefined;
}

function settingNamesFor(modelType: ModelKind | undefined): TaskSettingName[] {
  return TASK_SETTING_NAMES.filter((name) => {
    const models = settingOf(name)!.models;
    return modelType === undefined || models === undefined || models.includes(modelType);
  });
}

/** Why `value` is not a valid `name`, or undefined when it is. Messages name the setting. */
function valueProblem(name: TaskSettingName, value: unknown): string | undefined {
  if (name === 'hidden' && typeof value === 'string') {
    return parseHidden(value) === undefined ? `hidden: expected ${HIDDEN_EXPECTED}, got ${describeValue(value)}` : undefined;
  }
  const found: RawIssue[] = [];
  if (checkValue(value, SETTINGS[name].schema, [], found)) return undefined;
  const message = found[0]!.message;
  if (message.startsWith('unknown ')) return message;
  return message.startsWith('must ') ? `${name} ${message}` : `${name}: ${message}`;
}

function modelProblem(name: string, setting: Setting, modelType: ModelKind): string | undefined {
  if (setting.models === undefined || setting.models.includes(modelType)) return undefined;
  return `${name} is a setting of ${setting.models.join(' and ')} models, but this task's model is ${modelType}`;
}

/** The model type of a task as written, when it is a known one. */
function modelTypeOf(rawTask: unknown): ModelKind | undefined {
  if (!isMapping(rawTask)) return undefined;
  if (rawTask.model === undefined) return 'mlp';
  if (!isMapping(rawTask.model)) return undefined;
  const type = rawTask.model.type ?? 'mlp';
  return type === 'mlp' || type === 'cnn' ? type : undefined;
}

/**
 * Checks the params of a space whose objective is a task: each must name a setting the task's
 * model has, and every value it can take must be valid for that setting. Ranges are checked at
 * both ends: every setting's valid values form an interval. A setting that only some optimizers
 * read must exist only in trials whose optimizer reads it (optimizer-use.ts).
 */
export function checkTaskParams(
  rawTask: unknown,
  params: ParamSpecs,
  rawParams: Record<string, unknown>,
  issues: RawIssue[],
  options: ParamCheckOptions,
): void {
  const modelType = modelTypeOf(rawTask);
  for (const [name, spec] of Object.entries(params)) {
    const at: PathSegment[] = ['params', name];
    const setting = settingOf(name);
    if (setting === undefined) {
      const names = settingNamesFor(modelType);
      const close = Object.hasOwn(ALIASES, name) ? `; did you mean "${ALIASES[name]}"?` : suggestion(name, names);
      issues.push({ path: at, atKey: true, message: `not a setting of the built-in task${close} (settings: ${names.join(', ')})` });
      continue;
    }
    const mismatch = modelType === undefined ? undefined : modelProblem(name, setting, modelType);
    if (mismatch !== undefined) {
      issues.push({ path: at, atKey: true, message: mismatch });
      continue;
    }
    checkParamValues(name as TaskSettingName, setting, spec, isMapping(rawParams[name]) ? rawParams[name] : undefined, at, issues);
  }
  // A study stored before this check still opens: its trials simply ignored such settings.
  if (!options.stored) checkOptimizerUse(rawTask, params, issues);
}

function checkParamValues(
  name: TaskSettingName,
  setting: Setting,
  spec: ParamSpec,
  raw: Record<string, unknown> | undefined,
  at: PathSegment[],
  issues: RawIssue[],
): void {
  const check = (value: unknown, path: PathSegment[]) => {
    const problem = valueProblem(name, value);
    if (problem !== undefined) issues.push({ path, message: problem });
  };
  switch (spec.type) {
    case 'fixed':
      check(spec.value, raw === undefined ? at : [...at, 'value']);
      return;
    case 'categorical':
      spec.choices.forEach((choice, i) => check(choice, [...at, 'choices', i]));
      return;
    case 'float':
    case 'int': {
      const wrongType = numericTypeProblem(name, setting.kind, spec.type);
      if (wrongType !== undefined) {
        issues.push({ path: [...at, 'type'], message: wrongType });
        return;
      }
      // low/high derived from grid values were not written: the values themselves are checked.
      if (raw?.low !== undefined) check(spec.low, [...at, 'low']);
      if (raw?.high !== undefined) check(spec.high, [...at, 'high']);
      spec.values?.forEach((value, i) => check(value, [...at, 'values', i]));
    }
  }
}

function numericTypeProblem(name: string, kind: ValueKind, type: 'float' | 'int'): string | undefined {
  switch (kind) {
    case 'number':
      return undefined;
    case 'int':
      return type === 'float' ? `${name} takes whole numbers; use type: int` : undefined;
    case 'choice':
      return `${name} is a name, not a number; use type: categorical with choices, or a fixed value`;
    case 'boolean':
      return `${name} is true or false; use type: categorical with choices [false, true], or a fixed value`;
  }
}

/**
 * The task a trial trains: `task` with each param overriding the setting of the same name.
 * Pure: returns a new object and leaves `task` untouched. `hidden` applies before `layers`, so
 * `{ hidden: 50, layers: 3 }` is [50, 50, 50] whatever the order of the params.
 */
export function taskForTrial(task: TaskSpec, params: Params): TaskSpec {
  const merged = structuredClone(task);
  const names = Object.keys(params).sort((a, b) => Number(a === 'layers') - Number(b === 'layers'));
  for (const name of names) {
    const setting = settingOf(name);
    const value = params[name]!;
    const problem =
      setting === undefined
        ? `not a setting of the built-in task (settings: ${settingNamesFor(task.model.type).join(', ')})`
        : (modelProblem(name, setting, task.model.type) ?? valueProblem(name as TaskSettingName, value));
    if (problem !== undefined) throw new HpsearchError('E_USAGE', `param ${name}: ${problem}`);
    setting!.apply(merged, value);
  }
  return merged;
}
