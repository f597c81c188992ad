/**
 * Enqueued trials: params given by hand for trials that run before the sampler's own (a space
 * file's `search.enqueue`, `hpsearch enqueue`, `study.enqueue`). A trial may give only some of
 * the space's params, and the sampler fills in the rest; the ones it gives must be values the
 * space could have drawn. This is the one check of those values, for the file and for callers.
 */
import { HpsearchError } from '../errors.js';
import { formatNumber } from '../format/numbers.js';
import { activationClauses, activeNames, describeConditions } from './conditions.js';
import { onLattice } from './distributions.js';
import { suggestion } from './did-you-mean.js';
import type { PathSegment, RawIssue } from './raw-issue.js';
import { describeValue, isMapping, showValue } from './schema.js';
import type { CategoricalParam, FixedParam, NumericParam, Params, ParamSpec, ParamSpecs, ParamValue } from './types.js';

/**
 * Checks one enqueued trial's params against the space, adding an issue per problem at
 * `[...at, name]` (at `at` when the params are not a mapping). Returns the params when they all
 * fit, in the order given.
 */
export function checkEnqueuedParams(value: unknown, specs: ParamSpecs, at: PathSegment[], issues: RawIssue[]): Params | undefined {
  if (!isMapping(value)) {
    issues.push({ path: at, message: `expected a mapping of param name to value, e.g. { ${Object.keys(specs)[0] ?? 'learning_rate'}: 0.01 }, got ${describeValue(value)}` });
    return undefined;
  }
  const before = issues.length;
  const params: Params = {};
  for (const [name, given] of Object.entries(value)) {
    // hasOwn, not `in`: "constructor" is no param. "__proto__" never is one (the loader refuses it),
    // so `params[name] =` below never sets a prototype.
    if (!Object.hasOwn(specs, name)) {
      issues.push({ path: [...at, name], message: unknownParam(name, specs), atKey: true });
      continue;
    }
    const problem = valueProblem(name, given, specs[name]);
    if (problem !== undefined) issues.push({ path: [...at, name], message: problem });
    else params[name] = given as ParamValue;
  }
  if (issues.length === before) checkActivity(params, specs, at, issues);
  return issues.length === before ? params : undefined;
}

/**
 * A conditional param given by an enqueued trial must exist in that trial: its parents given too
 * (else the sampler could draw a value that deactivates it), and meeting its conditions.
 */
function checkActivity(params: Params, specs: ParamSpecs, at: PathSegment[], issues: RawIssue[]): void {
  const active = new Set(activeNames(specs, params));
  for (const name of Object.keys(params)) {
    const when = specs[name].when;
    if (when === undefined || active.has(name)) continue;
    // The params whose values decide whether it exists: its parents, theirs, and so on.
    const deciding = new Set(activationClauses(specs, name).map(([parent]) => parent));
    const missing = [...deciding].filter((parent) => !Object.hasOwn(params, parent));
    const exists = `${name} exists only when ${describeConditions(when)}`;
    const message = missing.length > 0
      ? `enqueued ${name} is conditional: give ${missing.join(' and ')} too (${exists}), or leave ${name} out`
      : `enqueued ${name} does not exist in this trial (${exists}); leave it out, or change ${Object.keys(when).join(' or ')}`;
    issues.push({ path: [...at, name], message });
  }
}

/**
 * The params of a trial to enqueue, checked against the space; rejects with E_VALIDATION naming
 * every problem (`what` says which params, e.g. `--params 2`, when a caller gives several).
 */
export function enqueuedParams(value: unknown, specs: ParamSpecs, what?: string): Params {
  const issues: RawIssue[] = [];
  const params = checkEnqueuedParams(value, specs, [], issues);
  if (params !== undefined) return params;
  const head = what === undefined ? '' : `${what}: `;
  const message = issues.length === 1
    ? `${head}${issues[0].message}`
    : `${head}${issues.length} problems with the enqueued params:\n${issues.map((issue) => `  - ${issue.message}`).join('\n')}`;
  throw new HpsearchError('E_VALIDATION', message);
}

/**
 * The `search.enqueue` list of a space file: each entry checked (when the params are valid, so
 * a broken param does not also fail every entry), and no more entries than the study's trials,
 * which they count toward. Undefined after reporting a problem.
 */
export function checkEnqueueList(search: unknown, specs: ParamSpecs | undefined, trials: number | undefined, issues: RawIssue[]): Params[] | undefined {
  const list = isMapping(search) ? search.enqueue : undefined;
  if (list === undefined) return [];
  const at = ['search', 'enqueue'];
  if (!Array.isArray(list)) {
    issues.push({ path: at, message: `expected a list of trials' params, e.g. [{ learning_rate: 0.01, weight_decay: 1.0e-6 }], got ${describeValue(list)}` });
    return undefined;
  }
  if (specs === undefined) return undefined;
  const before = issues.length;
  const entries = list.map((entry, i) => checkEnqueuedParams(entry, specs, [...at, i], issues));
  if (trials !== undefined && list.length > trials) {
    issues.push({
      path: at,
      message: `${list.length} trials enqueued, more than search.trials (${trials}): enqueued trials count toward the trials; enqueue fewer or raise trials`,
    });
  }
  return issues.length === before ? (entries as Params[]) : undefined;
}

function unknownParam(name: string, specs: ParamSpecs): string {
  const names = Object.keys(specs);
  const close = suggestion(name, names);
  return `enqueued param ${JSON.stringify(name)} is not in the space${close !== '' ? close : `; its params are ${names.join(', ')}`}`;
}

/** Why `value` is not a value `spec` could draw, or undefined when it is one. */
function valueProblem(name: string, value: unknown, spec: ParamSpec): string | undefined {
  if (typeof value === 'object' && value !== null) return `enqueued ${name} must be a single value, got ${describeValue(value)}`;
  switch (spec.type) {
    case 'float':
    case 'int':
      return numericProblem(name, value, spec);
    case 'categorical':
      return choiceProblem(name, value as ParamValue, spec);
    case 'fixed':
      return fixedProblem(name, value as ParamValue, spec);
  }
}

function numericProblem(name: string, value: unknown, spec: NumericParam): string | undefined {
  if (typeof value !== 'number') {
    const quoted = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? ' (remove the quotes)' : '';
    return `enqueued ${name} must be a number, got ${describeValue(value)}${quoted}`;
  }
  if (!Number.isFinite(value)) return `enqueued ${name} must be a finite number, got ${exact(value)}`;
  if (spec.type === 'int' && !Number.isInteger(value)) return `enqueued ${name} ${exact(value)} is not an integer (${name} is an int param)`;
  if (value < spec.low || value > spec.high) {
    return `enqueued ${name} ${exact(value)} is outside [${exact(spec.low)}, ${exact(spec.high)}]; give a value in that range, or widen params.${name}`;
  }
  if (spec.step !== undefined && !onLattice(value, spec.low, spec.step)) {
    const k = Math.floor((value - spec.low) / spec.step);
    const below = latticePoint(spec.low, k, spec.step);
    const above = Math.min(latticePoint(spec.low, k + 1, spec.step), spec.high);
    return `enqueued ${name} ${exact(value)} is not on its step lattice (${exact(spec.low)} + k × ${exact(spec.step)}); the nearest values are ${exact(below)} and ${exact(above)}`;
  }
  return undefined;
}

function choiceProblem(name: string, value: ParamValue, spec: CategoricalParam): string | undefined {
  // SameValueZero, as the loader compares choices: 1 and 1.0 are one number, true and "true" differ.
  if (spec.choices.includes(value)) return undefined;
  const names = spec.choices.filter((choice): choice is string => typeof choice === 'string');
  const close = typeof value === 'string' ? suggestion(value, names) : '';
  return `enqueued ${name} ${showValue(value)} is not one of the choices ${spec.choices.map(showValue).join(', ')}${close}`;
}

function fixedProblem(name: string, value: ParamValue, spec: FixedParam): string | undefined {
  if ([spec.value].includes(value)) return undefined;
  return `enqueued ${name} ${showValue(value)} differs from its fixed value ${showValue(spec.value)}; leave it out (fixed params are filled in)`;
}

function latticePoint(low: number, k: number, step: number): number {
  return Number((low + k * step).toPrecision(12));
}

/** A number as given, without the rounding of tables (0.010000001 must not read as 0.01). */
function exact(x: number): string {
  return formatNumber(x, 15);
}
