/**
 * Search-space files (YAML or JSON) → validated, normalised `SearchSpace`.
 *
 * Structure is checked with the zod schemas of `schema.ts`, meaning (ranges, strategy
 * rules, grid size, the objective module on disk) here. Every problem is collected so the
 * user sees them all in one run, then thrown as one `ValidationError`.
 */
import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HpsearchError, ValidationError } from '../errors.js';
import { checkConditions, checkWhen } from './check-conditions.js';
import { checkGrid } from './check-grid.js';
import { checkEnqueueList } from './enqueue.js';
import { isJsonFile, jsonCommentIssue } from './json-comments.js';
import { kindOfObjective, kindsNamedBy, objectiveKinds } from './objective-kind.js';
import { checkRepeatedValues } from './repeated-values.js';
import { checkStopping } from './stopping.js';
import { dotted, readSpaceDocument, type SpaceDocument } from './yaml-document.js';
import { PARAM_SCHEMAS, SEARCH_SCHEMAS, STUDY_NAME_PATTERN, TPE_DEFAULTS, checkFields, checkValue, checkVariant, describeValue, isMapping, objectiveSchema, scalarSchema, spaceFileSchema, type StrategyName } from './schema.js';
import { type RawIssue } from './raw-issue.js';
import type { LoadedSpace, ObjectiveSpec, PackSetting, ParamSpec, ParamSpecs, ParamValue, SaveModels, SearchSettings, SearchSpace } from './types.js';

export { MAX_GRID_POINTS } from './check-grid.js';

export interface LoadSpaceOptions {
  /**
   * Also load the objective once, as a trial's worker would, in a throwaway worker thread (a
   * module objective: that it imports and its default export is a function), and refuse the file
   * when it cannot run. For commands about to create a study. Default false.
   */
  probeObjective?: boolean;
}

export async function loadSpaceFile(file: string, options: LoadSpaceOptions = {}): Promise<LoadedSpace> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HpsearchError('E_USAGE', `search-space file not found: ${file}`, { cause: error });
    if (code === 'EISDIR') throw new HpsearchError('E_USAGE', `search-space path is a directory, not a file: ${file}`, { cause: error });
    throw new HpsearchError('E_USAGE', `cannot read search-space file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { loaded, document } = parseText(text, file, path.dirname(path.resolve(file)));
  if (options.probeObjective === true) await probeObjective(loaded.space, file, document);
  return loaded;
}

/** Parses and validates the text of a space file; `baseDir` is where a relative objective module is looked up. */
export function parseSpace(text: string, file: string, baseDir: string): LoadedSpace {
  return parseText(text, file, baseDir).loaded;
}

function parseText(text: string, file: string, baseDir: string): { loaded: LoadedSpace; document: SpaceDocument } {
  const comment = isJsonFile(file) ? jsonCommentIssue(text) : undefined;
  if (comment !== undefined) throw new ValidationError(file, [comment]);
  const document = readSpaceDocument(text, file);
  const issues: RawIssue[] = [];
  const space = validate(document.raw, file, baseDir, issues);
  if (space === undefined) throw new ValidationError(file, document.locate(issues));
  return { loaded: { space, file: path.resolve(file), raw: document.raw }, document };
}

/** Refuses the file, pointing at its objective, when the objective's kind finds that it cannot run. */
async function probeObjective(space: SearchSpace, file: string, document: SpaceDocument): Promise<void> {
  const found = kindOfObjective(space.objective);
  if (found?.kind.probe === undefined) return;
  const problem = await found.kind.probe(found.spec);
  if (problem !== undefined) throw new ValidationError(file, document.locate([{ path: ['objective', found.kind.name], message: problem }]));
}

export interface ValidateOptions {
  /** false: neither module nor task is needed, e.g. a study created in code with a function objective. Default true. */
  requireObjective?: boolean;
  /** false: do not check that the files the space names exist (module, task data), e.g. a stored study whose files moved. Default true. */
  checkFiles?: boolean;
  /**
   * true: the document was stored with a study, which must still open: checks added since studies
   * were first stored let it pass (a value repeated in `choices` or `values`; what an objective
   * kind's `checkParams` added since, as a task's optimizer settings that some trials ignore).
   * Default false.
   */
  stored?: boolean;
}

/** Validates a document that is already parsed, e.g. read back from the database (so no line numbers). */
export function validateSpaceDocument(doc: unknown, file: string, baseDir: string, options: ValidateOptions = {}): SearchSpace {
  const issues: RawIssue[] = [];
  const space = validate(doc, file, baseDir, issues, options);
  if (space === undefined) throw new ValidationError(file, issues.map((issue) => ({ path: dotted(issue), message: issue.message })));
  return space;
}

// ---------------------------------------------------------------------------
// Validation

function validate(raw: unknown, file: string, baseDir: string, issues: RawIssue[], options: ValidateOptions = {}): SearchSpace | undefined {
  if (!isMapping(raw)) {
    const message = raw === null || raw === undefined
      ? 'the file is empty; it needs objective, search and params'
      : `the top level must be a mapping with objective, search and params, got ${describeValue(raw)}`;
    issues.push({ path: [], message });
    return undefined;
  }
  checkFields(raw, spaceFileSchema(), [], issues, { nested: ['objective', 'search', 'params', 'early_stopping', 'divergence', 'pruner'] });
  const objective = checkObjective(raw.objective, baseDir, issues, options);
  const search = checkSearch(raw.search, issues);
  const params = checkParams(raw.params, search.strategy, issues);
  const conditionsOk = params !== undefined && checkConditions(params, search.strategy === 'grid', issues);
  const stored = options.stored === true;
  if (!stored) checkRepeatedValues(raw.params, issues);
  // With two kinds given it is unclear which the params are for; that error comes first.
  const named = isMapping(raw.objective) ? kindsNamedBy(raw.objective) : [];
  const only = named.length === 1 ? named[0] : undefined;
  if (only?.checkParams && params) only.checkParams((raw.objective as Record<string, unknown>)[only.name], params, isMapping(raw.params) ? raw.params : {}, issues, { stored });
  // The grid is checked even when other search keys are wrong: its size is news to the user either way.
  const gridPoints = search.strategy === 'grid' && params && conditionsOk ? checkGrid(params, issues) : undefined;
  const settings = search.fields && params ? buildSearch(search.fields, gridPoints, issues) : undefined;
  const enqueue = checkEnqueueList(raw.search, params, settings?.trials, issues);
  const stopping = checkStopping(raw, { objective, kind: only, params }, issues);
  const study = raw.study ?? defaultStudyName(file, issues);
  if (issues.length > 0 || !objective || !settings || !params || !enqueue || !stopping || typeof study !== 'string') return undefined;
  // A seed picked here is stored with the study, so a resumed study keeps sampling the same sequence.
  const seed = typeof raw.seed === 'number' ? raw.seed : randomInt(0, 2 ** 31);
  return { study, seed, objective, search: settings, params, enqueue, ...stopping, saveModels: saveModelsOf(raw.save_models), pack: packOf(raw.pack) };
}

/** `pack`, already checked against the schema by checkFields. */
function packOf(raw: unknown): PackSetting | null {
  return raw === 'auto' || raw === 'off' || typeof raw === 'number' ? raw : null;
}

/** `save_models`, already checked against the schema by checkFields. */
function saveModelsOf(raw: unknown): SaveModels | null {
  return isMapping(raw) && (typeof raw.top === 'number' || raw.top === 'all') ? { top: raw.top } : null;
}

function defaultStudyName(file: string, issues: RawIssue[]): string | undefined {
  const name = path.basename(file, path.extname(file));
  if (STUDY_NAME_PATTERN.test(name)) return name;
  issues.push({
    path: ['study'],
    message: `no study name given and the file name "${name}" is not a valid one; add study: <name> (letters, digits, ".", "_", "-")`,
  });
  return undefined;
}

function checkObjective(value: unknown, baseDir: string, issues: RawIssue[], options: ValidateOptions): ObjectiveSpec | undefined {
  if (value === undefined) return undefined; // reported as a missing key
  const kinds = objectiveKinds();
  if (!isMapping(value)) {
    issues.push({ path: ['objective'], message: `expected a mapping with ${kinds.map((k) => k.name).join(' (or ')}${')'.repeat(kinds.length - 1)}, metric and direction, got ${describeValue(value)}` });
    return undefined;
  }
  const before = issues.length;
  checkFields(value, objectiveSchema(), ['objective'], issues, { nested: kinds.filter((kind) => kind.nested).map((kind) => kind.name) });
  const given = kindsNamedBy(value);
  if (given.length > 1) {
    issues.push({ path: ['objective'], message: `give either ${given.map((kind) => kind.name).join(' or ')}, not both` });
  } else if (given.length === 0 && options.requireObjective !== false) {
    issues.push({
      path: ['objective'],
      message: 'add module: ./objective.mjs (a JS module whose default export returns the value) or task: { ... } (a built-in training task)',
    });
  }
  const kindOptions = { baseDir, checkFiles: options.checkFiles !== false };
  // Each kind checks its own settings, even when two are given, so all their problems show at once.
  const specs = given.map((kind) => [kind, kind.check(value, kindOptions, issues)] as const);
  if (issues.length > before) return undefined;
  const only = specs[0];
  const objective: ObjectiveSpec = {
    metric: (value.metric as string | undefined) ?? only?.[0].defaultMetric ?? 'value',
    direction: value.direction as ObjectiveSpec['direction'],
  };
  if (only !== undefined) Object.assign(objective, { [only[0].name]: only[1] });
  return objective;
}

interface SearchCheck {
  /** Known even when other search fields are wrong, so params are checked by the right rules. */
  strategy?: StrategyName;
  /** Set when the search section is structurally valid. */
  fields?: Record<string, unknown> & { strategy: StrategyName };
}

function checkSearch(value: unknown, issues: RawIssue[]): SearchCheck {
  if (value === undefined) return {};
  if (!isMapping(value)) {
    issues.push({ path: ['search'], message: `expected a mapping with strategy and trials, got ${describeValue(value)}` });
    return {};
  }
  const before = issues.length;
  const variant = checkVariant(value, 'strategy', SEARCH_SCHEMAS, ['search'], issues, {
    unknown: 'unknown strategy',
    usedBy: (key, strategies) => `"${key}" is only used by strategy: ${strategies.join(' or ')}`,
  }, ['enqueue']);
  if (variant === undefined) return {};
  const name = variant.kind;
  if (name === 'narrowing') {
    // Cross-field rules only between keys that are themselves valid, to avoid derived noise.
    const { rounds, trials_per_round: perRound, keep_top: keepTop, trials } = value;
    const valid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 1;
    if (valid(keepTop) && valid(perRound) && keepTop > perRound) {
      issues.push({ path: ['search', 'keep_top'], message: `keep_top (${keepTop}) must be <= trials_per_round (${perRound})` });
    }
    if (valid(rounds) && valid(perRound) && !Number.isSafeInteger(rounds * perRound)) {
      issues.push({
        path: ['search', 'rounds'],
        message: `rounds × trials_per_round = ${rounds} × ${perRound} is more trials than can be counted exactly (${Number.MAX_SAFE_INTEGER}); use fewer rounds or trials per round`,
      });
    } else if (valid(trials) && valid(rounds) && valid(perRound) && trials !== rounds * perRound) {
      issues.push({
        path: ['search', 'trials'],
        message: `trials (${trials}) must equal rounds × trials_per_round = ${rounds} × ${perRound} = ${rounds * perRound}; fix it or leave trials out`,
      });
    }
  }
  return issues.length > before ? { strategy: name } : { strategy: name, fields: { ...value, strategy: name } };
}

function checkParams(value: unknown, strategy: StrategyName | undefined, issues: RawIssue[]): ParamSpecs | undefined {
  if (value === undefined) {
    // A module objective may ask for every param itself (define-by-run); a grid has nothing to enumerate then.
    if (strategy !== 'grid') return {};
    issues.push({ path: ['params'], message: 'grid search needs params: it enumerates a declared space (params an objective asks for while it runs cannot be listed in advance)' });
    return undefined;
  }
  if (!isMapping(value)) {
    issues.push({ path: ['params'], message: `expected a mapping of param name to spec, got ${describeValue(value)}` });
    return undefined;
  }
  const params: ParamSpecs = {};
  let ok = true;
  for (const [name, spec] of Object.entries(value)) {
    if (name === '__proto__') {
      // As a key of a plain object it would set the prototype, and the param would vanish.
      issues.push({ path: ['params', name], atKey: true, message: '"__proto__" cannot be a param name; rename the param' });
      ok = false;
      continue;
    }
    const checked = checkParam(spec, ['params', name], strategy, issues);
    if (checked === undefined) ok = false;
    else params[name] = checked;
  }
  return ok ? params : undefined;
}

function checkParam(value: unknown, at: string[], strategy: StrategyName | undefined, issues: RawIssue[]): ParamSpec | undefined {
  if (Array.isArray(value)) {
    issues.push({
      path: at,
      message: 'expected a param spec such as { type: float, low: 0, high: 1 } or a fixed value, got a list; for options use { type: categorical, choices: [...] }',
    });
    return undefined;
  }
  if (!isMapping(value)) {
    return checkValue(value, scalarSchema, at, issues) ? { type: 'fixed', value: value as ParamValue } : undefined;
  }
  const variant = checkVariant(value, 'type', PARAM_SCHEMAS, at, issues, {
    unknown: 'unknown param type',
    usedBy: (key, types) => `"${key}" is only used by ${types.join(' and ')} params`,
  }, ['when']);
  if (variant === undefined) return undefined;
  const when = value.when === undefined ? undefined : checkWhen(value.when, at, issues);
  const ok = variant.ok && (value.when === undefined || when !== undefined);
  const withWhen = <T extends ParamSpec>(spec: T | undefined): T | undefined => (ok && spec !== undefined ? (when !== undefined ? { ...spec, when } : spec) : undefined);
  switch (variant.kind) {
    case 'fixed':
      return withWhen({ type: 'fixed', value: value.value as ParamValue });
    case 'categorical':
      return withWhen({ type: 'categorical', choices: value.choices as ParamValue[] });
    case 'float':
    case 'int':
      // Range checks still run on the well-typed keys so a typo elsewhere does not hide them.
      return withWhen(checkNumeric(variant.kind, wellTyped(value), at, strategy, issues));
  }
}

type NumericFields = { low?: number; high?: number; log?: boolean; step?: number; values?: number[]; grid?: number };

function wellTyped(value: Record<string, unknown>): NumericFields {
  // A key given with the wrong type becomes NaN: it still counts as present (no "low is
  // required" on top of "expected a number") but fails every comparison.
  const number = (v: unknown) => (typeof v === 'number' ? v : NaN);
  const fields: NumericFields = {};
  for (const key of ['low', 'high', 'step', 'grid'] as const) {
    if (value[key] !== undefined) fields[key] = number(value[key]);
  }
  if (typeof value.log === 'boolean') fields.log = value.log;
  if (value.values !== undefined) fields.values = Array.isArray(value.values) ? value.values.map(number) : [];
  return fields;
}

function checkNumeric(
  type: 'float' | 'int',
  spec: NumericFields,
  at: string[],
  strategy: StrategyName | undefined,
  issues: RawIssue[],
): ParamSpec | undefined {
  const before = issues.length;
  const { low, high, step, values, grid } = spec;
  const log = spec.log ?? false;
  // Only grid search can do without bounds (it visits `values`). While the strategy is
  // unknown (a broken search section) the lenient rule avoids a second, derived error.
  if (strategy !== undefined && (strategy !== 'grid' || values === undefined)) {
    const note = values !== undefined ? ` (values: [...] replaces low/high only with strategy: grid)` : '';
    if (low === undefined) issues.push({ path: [...at, 'low'], message: `required key is missing${note}` });
    if (high === undefined) issues.push({ path: [...at, 'high'], message: `required key is missing${note}` });
  }
  if (low !== undefined && high !== undefined && low >= high) {
    issues.push({ path: [...at, 'low'], message: `low (${low}) must be less than high (${high})` });
  }
  if (log && low !== undefined && low <= 0) {
    issues.push({ path: [...at, 'low'], message: `log: true needs low > 0, got ${low}; use a positive low or log: false` });
  }
  if (log && step !== undefined) {
    issues.push({ path: [...at, 'step'], message: 'step cannot be combined with log: true; remove one of them' });
  }
  if (issues.length > before) return undefined;
  // Not Math.min(...values): spreading a long list overflows the stack.
  const result = {
    low: low ?? (values ?? []).reduce((a, b) => Math.min(a, b), Infinity),
    high: high ?? (values ?? []).reduce((a, b) => Math.max(a, b), -Infinity),
    log,
    ...(values !== undefined ? { values } : {}),
    ...(grid !== undefined ? { grid } : {}),
  };
  if (type === 'int') return { type, ...result, step: step ?? 1 };
  return { type, ...result, ...(step !== undefined ? { step } : {}) };
}

function buildSearch(
  fields: Record<string, unknown> & { strategy: StrategyName },
  gridPoints: number | undefined,
  issues: RawIssue[],
): SearchSettings | undefined {
  const trials = fields.trials as number | undefined;
  switch (fields.strategy) {
    case 'random':
      return { strategy: 'random', trials: trials! };
    case 'narrowing': {
      const rounds = fields.rounds as number;
      const trialsPerRound = fields.trials_per_round as number;
      // The default of 5 shrinks for small rounds rather than failing on a key the user never wrote.
      const keepTop = (fields.keep_top as number | undefined) ?? Math.min(5, trialsPerRound);
      const margin = (fields.margin as number | undefined) ?? 0.1;
      return { strategy: 'narrowing', rounds, trialsPerRound, keepTop, margin, trials: rounds * trialsPerRound };
    }
    case 'tpe':
      return {
        strategy: 'tpe',
        trials: trials!,
        startupTrials: (fields.startup_trials as number | undefined) ?? TPE_DEFAULTS.startupTrials,
        eiCandidates: (fields.ei_candidates as number | undefined) ?? TPE_DEFAULTS.eiCandidates,
        multivariate: (fields.multivariate as boolean | undefined) ?? TPE_DEFAULTS.multivariate,
        constantLiar: (fields.constant_liar as boolean | undefined) ?? TPE_DEFAULTS.constantLiar,
        priorWeight: (fields.prior_weight as number | undefined) ?? TPE_DEFAULTS.priorWeight,
        considerMagicClip: (fields.consider_magic_clip as boolean | undefined) ?? TPE_DEFAULTS.considerMagicClip,
        considerEndpoints: (fields.consider_endpoints as boolean | undefined) ?? TPE_DEFAULTS.considerEndpoints,
      };
    case 'grid': {
      if (gridPoints === undefined) return undefined;
      if (trials !== undefined && trials > gridPoints) {
        const message = `trials (${trials}) is more than the grid size (${gridPoints}); lower it or leave it out to run the whole grid`;
        issues.push({ path: ['search', 'trials'], message });
        return undefined;
      }
      return { strategy: 'grid', trials: trials ?? gridPoints };
    }
  }
}
