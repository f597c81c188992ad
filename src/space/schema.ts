/**
 * The search-space file format as zod schemas, and the structural checks built on them.
 *
 * The composed `spaceFileSchema` is what the JSON Schema for editors is generated from.
 * Validation does not parse it in one go: a union of param kinds makes zod report
 * "no union member matched", which tells the user nothing. Instead `load.ts` picks the
 * schema for each part (a param by its `type`, search settings by their `strategy`) and
 * checks it with `checkFields`, so every message names the exact key that is wrong.
 */
import * as z from 'zod';
import { objectiveKinds, objectiveKindsRevision } from './objective-kind.js';
import type { PathSegment, RawIssue } from './raw-issue.js';
import { suggestion } from './did-you-mean.js';
import { DIVERGENCE_FACTOR_DEFAULT, PRUNER_SCHEMAS, divergenceSchema, earlyStoppingSchema } from './stopping-schema.js';
import type { TpeSearch } from './types.js';

export const STUDY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const scalarSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);

const LOW_DOC = 'Lower bound (inclusive). Required unless `values` is given for grid search.';
const HIGH_DOC = 'Upper bound (inclusive). Required unless `values` is given for grid search.';

/** One clause of `when:`: the parent's allowed values, or a numeric range. */
export const conditionClauseSchema = z.union([
  z.array(scalarSchema).min(1).describe("The parent's values for which this param exists, e.g. [momentum, nesterov]."),
  scalarSchema.describe('The one parent value for which this param exists.'),
  z
    .strictObject({
      min: z.number().optional().describe('Smallest parent value (inclusive).'),
      max: z.number().optional().describe('Largest parent value (inclusive).'),
    })
    .describe('A range of a numeric parent, e.g. { min: 3 }.'),
]);

/** `when:`, which every param type takes; the loader checks it (conditions.ts has what it means). */
export const whenSchema = z
  .record(z.string(), conditionClauseSchema)
  .describe(
    'Conditions under which this param exists: parent param → allowed values, e.g. { optimizer: [momentum, nesterov] } or { layers: { min: 3 } }. All must hold, and each parent must itself be active; elsewhere the param is absent from the trial.',
  );

const whenField = { when: whenSchema.optional() };

const numericFields = {
  log: z.boolean().optional().describe('Sample log-uniformly (needs low > 0). Default false.'),
  grid: z.int().min(1).max(1_000_000).optional().describe('Grid search: number of points from low to high.'),
};

export const floatParamSchema = z.strictObject({
  type: z.literal('float'),
  low: z.number().optional().describe(LOW_DOC),
  high: z.number().optional().describe(HIGH_DOC),
  ...numericFields,
  step: z.number().positive().optional().describe('Discretisation step (not with log).'),
  values: z.array(z.number()).min(1).meta({ uniqueItems: true }).optional().describe('Grid search: explicit points, each once.'),
  ...whenField,
});

export const intParamSchema = z.strictObject({
  type: z.literal('int'),
  low: z.int().optional().describe(LOW_DOC),
  high: z.int().optional().describe(HIGH_DOC),
  ...numericFields,
  step: z.int().positive().optional().describe('Step between values (not with log). Default 1.'),
  values: z.array(z.int()).min(1).meta({ uniqueItems: true }).optional().describe('Grid search: explicit points, each once.'),
  ...whenField,
});

export const categoricalParamSchema = z.strictObject({
  type: z.literal('categorical'),
  // uniqueItems is for editors; the loader reports a repeat itself (repeated-values.ts), at the repeat.
  choices: z.array(scalarSchema).min(1).meta({ uniqueItems: true }).describe('The values to choose from, each once.'),
  ...whenField,
});

export const fixedParamSchema = z.strictObject({
  type: z.literal('fixed'),
  value: scalarSchema.describe('The value every trial gets (every trial where it is active, with when:).'),
  ...whenField,
});

export const PARAM_SCHEMAS = {
  float: floatParamSchema,
  int: intParamSchema,
  categorical: categoricalParamSchema,
  fixed: fixedParamSchema,
} as const;
export type ParamType = keyof typeof PARAM_SCHEMAS;
export const PARAM_TYPES = Object.keys(PARAM_SCHEMAS) as ParamType[];

const trialsField = z.int().min(1);

/**
 * Keys every strategy's search section takes: spread into each search schema (a new strategy's
 * too), so a key added here is allowed under every strategy. The loader checks their values.
 */
export const commonSearchFields = {
  enqueue: z
    .array(z.record(z.string(), scalarSchema))
    .optional()
    .describe(
      'Trials to run first, in this order, when the study is created: each a mapping of param name to value, e.g. { learning_rate: 0.01, weight_decay: 1.0e-6 }. Params left out are sampled. They count toward trials.',
    ),
};

export const gridSearchSchema = z.strictObject({
  strategy: z.literal('grid'),
  trials: trialsField.optional().describe('At most the grid size; default: the whole grid. Fewer: points spread over the whole grid, in an order fixed by the seed.'),
  ...commonSearchFields,
});

export const randomSearchSchema = z.strictObject({
  strategy: z.literal('random'),
  trials: trialsField.describe('Number of trials to run.'),
  ...commonSearchFields,
});

export const narrowingSearchSchema = z.strictObject({
  strategy: z.literal('narrowing'),
  trials: trialsField.optional().describe('If given, must equal rounds * trials_per_round.'),
  rounds: z.int().min(1).describe('Number of rounds; each round narrows the ranges around the best trials.'),
  trials_per_round: z.int().min(1).describe('Trials sampled in each round.'),
  keep_top: z.int().min(1).optional().describe('Best trials the next round narrows to (<= trials_per_round). Default 5.'),
  margin: z.number().min(0).optional().describe('Fraction of the top-K span added on each side. Default 0.1.'),
  ...commonSearchFields,
});

/** Whether TPE models the params jointly unless the file says; chosen by `npm run bench -- tpe` (see the README). */
export const TPE_MULTIVARIATE_DEFAULT = false;

/**
 * TPE's settings when the file leaves them out (Optuna's), in one place for the loader, the
 * schema's descriptions and a search converted to tpe (search-document.ts).
 */
export const TPE_DEFAULTS: Readonly<Omit<TpeSearch, 'strategy' | 'trials'>> = {
  startupTrials: 10,
  eiCandidates: 24,
  multivariate: TPE_MULTIVARIATE_DEFAULT,
  constantLiar: true,
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
};

export const tpeSearchSchema = z.strictObject({
  strategy: z.literal('tpe'),
  trials: trialsField.describe('Number of trials to run.'),
  ...commonSearchFields,
  startup_trials: z.int().min(0).optional().describe(`Trials drawn at random until this many are complete or pruned. Default ${TPE_DEFAULTS.startupTrials}.`),
  ei_candidates: z.int().min(1).max(10_000).optional().describe(`Candidates drawn from the good trials' density each draw; the best by l(x)/g(x) is kept. Default ${TPE_DEFAULTS.eiCandidates}.`),
  multivariate: z.boolean().optional().describe(`One joint density over all params (true) or one per param (false). Default ${TPE_DEFAULTS.multivariate}.`),
  constant_liar: z.boolean().optional().describe(`Running trials count as bad observations, so parallel workers do not pile onto one point. Default ${TPE_DEFAULTS.constantLiar}.`),
  prior_weight: z.number().positive().optional().describe(`Weight of the prior (a kernel as wide as the range) against each observation. Default ${TPE_DEFAULTS.priorWeight}.`),
  consider_magic_clip: z.boolean().optional().describe(`Floor each bandwidth at range / min(100, 1 + kernels). Default ${TPE_DEFAULTS.considerMagicClip}.`),
  consider_endpoints: z.boolean().optional().describe(`Let the bounds set the bandwidths of the outermost observations. Default ${TPE_DEFAULTS.considerEndpoints}.`),
});

export const SEARCH_SCHEMAS = {
  grid: gridSearchSchema,
  random: randomSearchSchema,
  narrowing: narrowingSearchSchema,
  tpe: tpeSearchSchema,
} as const;
export type StrategyName = keyof typeof SEARCH_SCHEMAS;
export const STRATEGIES = Object.keys(SEARCH_SCHEMAS) as StrategyName[];

/** `objective:`: one key per registered objective kind (exactly one of them given), metric and direction. */
export function objectiveSchema(): z.ZodObject {
  return built().objective;
}

function buildObjectiveSchema() {
  const kinds = objectiveKinds();
  const names = kinds.map((kind) => kind.name).join(' / ');
  const shape: Record<string, z.ZodType> = {};
  for (const kind of kinds) shape[kind.name] = kind.schema.optional().describe(`${kind.description} Exactly one of ${names}.`);
  return z.strictObject({
    ...shape,
    metric: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the value the objective returns. Default "value"; for a task one of val_accuracy (default), val_loss, train_accuracy, train_loss.'),
    direction: z.enum(['maximize', 'minimize']).describe('Whether higher or lower values are better.'),
  });
}

export const paramSchema = z.union([
  scalarSchema.describe('A fixed value.'),
  z.discriminatedUnion('type', [floatParamSchema, intParamSchema, categoricalParamSchema, fixedParamSchema]),
]);

/** The whole file, with the objective kinds registered now. */
export function spaceFileSchema(): z.ZodObject {
  return built().file;
}

function buildSpaceFileSchema(objective: z.ZodObject) {
  return z.strictObject({
    $schema: z.string().optional(),
    study: z
      .string()
      .regex(STUDY_NAME_PATTERN, {
        error: 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (at most 128 characters)',
      })
      .optional()
      .describe('Study name. Default: the file name without extension.'),
    description: z.string().optional(),
    seed: z.int().min(0).optional().describe('Random seed. Default: a random one, stored with the study.'),
    objective,
    search: z.discriminatedUnion('strategy', [gridSearchSchema, randomSearchSchema, narrowingSearchSchema, tpeSearchSchema]),
    params: z
      .record(z.string(), paramSchema)
      .optional()
      .describe('Parameter name → spec, or a fixed scalar value. May be left out when a module objective asks for its params itself (ctx.suggestFloat and the like); grid search needs it.'),
    early_stopping: earlyStoppingSchema
      .optional()
      .describe('Stop a trial whose monitored metric has not improved for `patience` steps; it completes with the value it reached. Default: off ({} turns it on with the defaults).'),
    divergence: z
      .union([z.literal(false), divergenceSchema])
      .optional()
      .describe(
        `Prune a trial whose loss explodes. Default for a task: { monitor: train_loss, factor: ${DIVERGENCE_FACTOR_DEFAULT} }; for a module objective: off. false turns it off; a NaN or infinite metric prunes the trial either way.`,
      ),
    pruner: z
      .discriminatedUnion('type', [
        PRUNER_SCHEMAS.none,
        PRUNER_SCHEMAS.median,
        PRUNER_SCHEMAS.percentile,
        PRUNER_SCHEMAS.successive_halving,
        PRUNER_SCHEMAS.hyperband,
      ])
      .optional()
      .describe("Stops unpromising trials early, comparing their reported values with the other trials' at the same step. Default: none."),
    save_models: z
      .strictObject({
        top: z
          .union([z.int().min(1), z.literal('all')])
          .describe("How many of the best complete trials keep their trained model; 'all' keeps every complete trial's (they add up: see `hpsearch studies`)."),
      })
      .optional()
      .describe('Keep the trained models of the best trials in the study\'s storage, for `hpsearch export`; a trial that falls out of the top loses its model. `run --save-models` overrides it. Default: none kept.'),
    pack: z
      .union([z.literal('auto'), z.literal('off'), z.int().min(1)])
      .optional()
      .describe(
        'Train up to this many trials that share a model shape as one batched computation in one worker (a built-in MLP task on a native TensorFlow backend): auto picks the size from the backend and the model, off trains each trial alone. `run --pack` overrides it. Default: auto.',
      ),
  });
}

/** Built once per set of registered kinds: zod schemas are slow to make and to compile. */
let cache: { revision: number; objective: z.ZodObject; file: z.ZodObject } | undefined;

function built(): { objective: z.ZodObject; file: z.ZodObject } {
  if (cache?.revision !== objectiveKindsRevision()) {
    const objective = buildObjectiveSchema();
    cache = { revision: objectiveKindsRevision(), objective, file: buildSpaceFileSchema(objective) };
  }
  return cache;
}

// ---------------------------------------------------------------------------
// Structural checks


export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A value as a message quotes it: a string in quotes, a number or true/false as it is, a list
 * or a mapping by its kind (never the whole structure: it may be huge, or cyclic through aliases).
 */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'object' && value !== null ? describeValue(value) : String(value);
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The noun of an enum made by `namedEnum` (its title), looking through optional and nullable. */
function enumNoun(schema: z.ZodType): string | undefined {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  if (!(inner instanceof z.ZodEnum)) return undefined;
  const title = z.globalRegistry.get(inner)?.title;
  return typeof title === 'string' ? title : undefined;
}

function issueMessage(issue: z.core.$ZodIssue, got: unknown, noun: string | undefined): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (got === undefined) return 'required key is missing';
      const expected = EXPECTED_NAMES[issue.expected] ?? issue.expected;
      const hint = issue.expected === 'number' && typeof got === 'string' && got.trim() !== '' && Number.isFinite(Number(got))
        ? ' (remove the quotes)'
        : '';
      return `expected ${expected}, got ${describeValue(got)}${hint}`;
    }
    case 'invalid_union':
      return `expected a number, string, true/false or null, got ${describeValue(got)}`;
    case 'invalid_value': {
      if (noun !== undefined && issue.path.length === 0) {
        const names = issue.values.map(String);
        const close = typeof got === 'string' ? suggestion(got, names) : '';
        return `unknown ${noun} ${showValue(got)}${close} (expected one of ${names.join(', ')})`;
      }
      const options = issue.values.map((v) => JSON.stringify(v));
      const head = options.length === 1 ? `expected ${options[0]}` : `expected one of ${options.join(', ')}`;
      const strings = issue.values.filter((v): v is string => typeof v === 'string');
      return `${head}, got ${describeValue(got)}${typeof got === 'string' ? suggestion(got, strings) : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return 'must not be empty';
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}, got ${String(got)}`;
    case 'too_big':
      return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${String(got)}`;
    default:
      return issue.message;
  }
}

/** Checks one value against a leaf schema, adding an issue per problem under `path`. */
export function checkValue(value: unknown, schema: z.ZodType, path: PathSegment[], issues: RawIssue[]): boolean {
  const result = schema.safeParse(value);
  if (result.success) return true;
  const noun = enumNoun(schema);
  for (const issue of result.error.issues) {
    const sub = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    issues.push({ path: [...path, ...sub], message: issueMessage(issue, valueAt(value, issue.path), noun) });
  }
  return false;
}

export interface CheckFieldsOptions {
  /** Keys the caller checks itself (nested parts); only their presence is checked here. */
  nested?: readonly string[];
  /** Extra words for an unknown key that is valid elsewhere, e.g. under another strategy. */
  unknownKeyHint?: (key: string) => string | undefined;
}

/**
 * Checks a mapping against a strict object schema key by key: unknown keys (with a
 * did-you-mean among the keys known here), missing required keys, and each value.
 * Returns false if anything was wrong.
 */
export function checkFields(
  value: Record<string, unknown>,
  schema: z.ZodObject,
  path: PathSegment[],
  issues: RawIssue[],
  options: CheckFieldsOptions = {},
): boolean {
  const before = issues.length;
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (Object.hasOwn(shape, key)) continue; // not `in`, which also finds "constructor" and the rest of Object.prototype
    const close = suggestion(key, known);
    const hint = options.unknownKeyHint?.(key);
    const message = close !== '' ? `unknown key${close}` : `unknown key${hint ? `; ${hint}` : ''}; known keys here: ${known.join(', ')}`;
    issues.push({ path: [...path, key], message, atKey: true });
  }
  for (const key of known) {
    const field = shape[key]!;
    const present = Object.hasOwn(value, key) && value[key] !== undefined;
    if (!present) {
      if (!field.safeParse(undefined).success) {
        const options = field instanceof z.ZodEnum ? ` (one of ${field.options.map((o) => JSON.stringify(o)).join(', ')})` : '';
        issues.push({ path: [...path, key], message: `required key is missing${options}` });
      }
      continue;
    }
    if (options.nested?.includes(key)) continue;
    checkValue(value[key], field, [...path, key], issues);
  }
  return issues.length === before;
}

/**
 * Checks a mapping whose keys depend on a discriminator (`type` of a param, `strategy` of the
 * search): first the discriminator, with a did-you-mean, then the keys of that variant, where
 * a key of another variant is explained as such. Undefined when the variant is unknown.
 * `nested` keys are only checked for presence: the caller checks their values.
 */
export function checkVariant<K extends string>(
  value: Record<string, unknown>,
  key: string,
  schemas: Record<K, z.ZodObject>,
  path: PathSegment[],
  issues: RawIssue[],
  words: { unknown: string; usedBy: (key: string, variants: K[]) => string },
  nested: readonly string[] = [],
): { kind: K; ok: boolean } | undefined {
  const kinds = Object.keys(schemas) as K[];
  const kind = value[key];
  if (kind === undefined) {
    issues.push({ path: [...path, key], message: `required key is missing (one of ${kinds.join(', ')})` });
    return undefined;
  }
  if (typeof kind !== 'string' || !(kinds as string[]).includes(kind)) {
    const close = typeof kind === 'string' ? suggestion(kind, kinds) : '';
    issues.push({ path: [...path, key], message: `${words.unknown} ${showValue(kind)}${close} (expected one of ${kinds.join(', ')})` });
    return undefined;
  }
  const ok = checkFields(value, schemas[kind as K], path, issues, {
    nested,
    unknownKeyHint: (unknown) => {
      const users = kinds.filter((k) => Object.hasOwn(schemas[k].shape, unknown));
      return users.length > 0 ? words.usedBy(unknown, users) : undefined;
    },
  });
  return { kind: kind as K, ok };
}
