/**
 * Define-by-run: the distribution an objective asks for a param with while it runs
 * (`ctx.suggestFloat('lr', 1e-5, 1e-1, { log: true })`), as the ParamSpec a space file would
 * declare for it, and how two of them compare. The trial's thread builds the spec from the call's
 * arguments, so a wrong argument rejects there at once, naming the method and the argument; the
 * main thread checks it again (it crossed a port, or came from a caller of `study.suggest`) and
 * compares it with what the space declares and with what the trial asked before.
 *
 * Unlike a space file's, an asked range may be a single point (low = high): that is the value.
 * This file imports nothing heavy: every trial's worker thread loads it.
 */
import { formatNumber } from '../format/numbers.js';
import { onLattice } from './distributions.js';
import type { CategoricalParam, FloatParam, IntParam, ParamSpec, ParamValue } from './types.js';

/** The options `suggestFloat` and `suggestInt` take. */
export interface SuggestNumberOptions {
  /** Draw log-uniformly (needs low > 0; not with step). */
  readonly log?: boolean;
  /** Only values low + k·step (an integer for suggestInt; not with log). Default: any float; 1 for ints. */
  readonly step?: number;
}

/** The distributions an objective may ask with. */
export type AskedSpec = FloatParam | IntParam | CategoricalParam;

/** The distribution of `ctx.suggestFloat(name, low, high, options)`; a TypeError naming the argument when one is wrong. */
export function askedFloat(name: unknown, low: unknown, high: unknown, options?: unknown, method = 'ctx.suggestFloat'): FloatParam {
  const at = callOf(method, name);
  const { log, step } = numberOptions(at, options, false);
  const range = bounds(at, low, high, log, false);
  return { type: 'float', ...range, log, ...(step !== undefined ? { step } : {}) };
}

/** The distribution of `ctx.suggestInt(name, low, high, options)`; a TypeError naming the argument when one is wrong. */
export function askedInt(name: unknown, low: unknown, high: unknown, options?: unknown, method = 'ctx.suggestInt'): IntParam {
  const at = callOf(method, name);
  const { log, step } = numberOptions(at, options, true);
  const range = bounds(at, low, high, log, true);
  return { type: 'int', ...range, log, step: step ?? 1 };
}

/** The distribution of `ctx.suggestCategorical(name, choices)`; a TypeError naming the argument when one is wrong. */
export function askedCategorical(name: unknown, choices: unknown, method = 'ctx.suggestCategorical'): CategoricalParam {
  const at = callOf(method, name);
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new TypeError(`${at}: choices must be a non-empty list of numbers, strings, booleans or null, got ${described(choices)}`);
  }
  const seen = new Set<ParamValue>();
  choices.forEach((choice: unknown, i) => {
    const scalar = choice === null || typeof choice === 'string' || typeof choice === 'boolean' || (typeof choice === 'number' && Number.isFinite(choice));
    if (!scalar) throw new TypeError(`${at}: choices[${i}] must be a finite number, a string, a boolean or null, got ${described(choice)}`);
    if (seen.has(choice)) throw new TypeError(`${at}: choices[${i}] repeats ${described(choice)}; give each choice once`);
    seen.add(choice);
  });
  return { type: 'categorical', choices: [...(choices as ParamValue[])] };
}

/**
 * A spec given for `name` from outside the objective's own call (a port message, `study.suggest`),
 * checked as the call would check it and normalised (a space file's `when`, `values` and `grid`
 * are no part of an asked distribution). A TypeError saying what is wrong.
 */
export function askedSpec(name: unknown, spec: unknown): AskedSpec {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`suggest(${JSON.stringify(name)}): the distribution must be an object, got ${described(spec)}`);
  const given = spec as Record<string, unknown>;
  switch (given['type']) {
    case 'float':
      return askedFloat(name, given['low'], given['high'], { log: given['log'] ?? false, ...(given['step'] !== undefined ? { step: given['step'] } : {}) }, 'suggest');
    case 'int':
      return askedInt(name, given['low'], given['high'], { log: given['log'] ?? false, ...(given['step'] !== undefined ? { step: given['step'] } : {}) }, 'suggest');
    case 'categorical':
      return askedCategorical(name, given['choices'], 'suggest');
    default:
      throw new TypeError(`suggest(${JSON.stringify(name)}): the distribution's type must be float, int or categorical, got ${described(given['type'])}`);
  }
}

/** The value of a distribution that has only one (low = high, or a single choice); undefined otherwise. */
export function singleValue(spec: AskedSpec): ParamValue | undefined {
  if (spec.type === 'categorical') return spec.choices.length === 1 ? spec.choices[0] : undefined;
  return spec.low === spec.high ? spec.low : undefined;
}

/**
 * Whether two specs draw from the same distribution: the same type and the same bounds, log and
 * step, or the same choices in the same order (samplers index choices by position). What only
 * one strategy uses (a grid's `values` and `grid`) and `when` take no part.
 */
export function sameDistribution(a: ParamSpec, b: ParamSpec): boolean {
  switch (a.type) {
    case 'float':
    case 'int':
      return b.type === a.type && a.low === b.low && a.high === b.high && a.log === b.log && a.step === b.step;
    case 'categorical':
      return b.type === 'categorical' && a.choices.length === b.choices.length && a.choices.every((choice, i) => choice === b.choices[i]);
    case 'fixed':
      return b.type === 'fixed' && a.value === b.value;
  }
}

/** Whether `value` is one `spec` could draw (a fixed declared param asked for with a range). */
export function fitsDistribution(value: ParamValue, spec: AskedSpec): boolean {
  if (spec.type === 'categorical') return spec.choices.includes(value);
  if (typeof value !== 'number' || value < spec.low || value > spec.high) return false;
  if (spec.type === 'int' && !Number.isInteger(value)) return false;
  return spec.step === undefined || onLattice(value, spec.low, spec.step);
}

/** A distribution as messages show it: `float in [1e-5, 0.1], log`, `int in [1, 8], step 2`, `one of ["sgd", "adam"]`. */
export function describeDistribution(spec: ParamSpec): string {
  switch (spec.type) {
    case 'float':
    case 'int': {
      const extra = spec.log ? ', log' : spec.step !== undefined && !(spec.type === 'int' && spec.step === 1) ? `, step ${exact(spec.step)}` : '';
      return `${spec.type} in [${exact(spec.low)}, ${exact(spec.high)}]${extra}`;
    }
    case 'categorical':
      return `one of [${spec.choices.map(showParamValue).join(', ')}]`;
    case 'fixed':
      return `fixed at ${showParamValue(spec.value)}`;
  }
}

/** A param value in a message: strings quoted, numbers exact. */
export function showParamValue(value: ParamValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' ? exact(value) : String(value);
}

/** `ctx.suggestFloat("lr")`, the prefix of every message about one call; a TypeError when the name is no name. */
function callOf(method: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${method}: the param name must be a non-empty string, got ${described(name)}`);
  // Params are plain objects keyed by name: this one would set their prototype.
  if (name === '__proto__') throw new TypeError(`${method}: "__proto__" cannot be a param name; rename the param`);
  return `${method}(${JSON.stringify(name)})`;
}

function numberOptions(at: string, options: unknown, int: boolean): { log: boolean; step: number | undefined } {
  if (options === undefined) return { log: false, step: undefined };
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${at}: options must be an object such as { log: true } or { step: 0.1 }, got ${described(options)}`);
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key !== 'log' && key !== 'step') throw new TypeError(`${at}: unknown option ${JSON.stringify(key)}; the options are log and step`);
  }
  const log = given['log'] ?? false;
  if (typeof log !== 'boolean') throw new TypeError(`${at}: options.log must be true or false, got ${described(log)}`);
  const step = given['step'];
  if (step !== undefined) {
    const ok = typeof step === 'number' && Number.isFinite(step) && step > 0 && (!int || Number.isSafeInteger(step));
    if (!ok) throw new TypeError(`${at}: options.step must be a positive ${int ? 'integer' : 'finite number'}, got ${described(step)}`);
    if (log) throw new TypeError(`${at}: options.log and options.step cannot be combined; give one of them`);
  }
  return { log, step: step as number | undefined };
}

function bounds(at: string, low: unknown, high: unknown, log: boolean, int: boolean): { low: number; high: number } {
  const kind = int ? 'an integer' : 'a finite number';
  const valid = (x: unknown): x is number => typeof x === 'number' && (int ? Number.isSafeInteger(x) : Number.isFinite(x));
  if (!valid(low)) throw new TypeError(`${at}: low must be ${kind}, got ${described(low)}`);
  if (!valid(high)) throw new TypeError(`${at}: high must be ${kind}, got ${described(high)}`);
  if (low > high) throw new TypeError(`${at}: low (${exact(low)}) must be <= high (${exact(high)})`);
  if (log && low <= 0) throw new TypeError(`${at}: log needs low > 0, got ${exact(low)}; use a positive low or leave log out`);
  return { low, high };
}

function described(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** A number as given, without the rounding of tables (1e-5 must not read as 0). */
function exact(x: number): string {
  return formatNumber(x, 15);
}
