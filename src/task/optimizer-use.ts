/**
 * Settings that only some optimizers read (`OPTIMIZER_SETTINGS`: momentum for momentum and
 * nesterov, beta1 and beta2 for adam, ...) go only to trials whose optimizer reads them: the loader
 * refuses a `momentum` param that a trial with optimizer adam would get, and says which `when:`
 * would fix it. Checked on the space as written, before any trial: which optimizers the trials
 * where a param exists can train with follows from the optimizer param's values, the conditions
 * the param exists under, and train.optimizer where the optimizer param is absent or inactive.
 */
import { wordList } from '../format/words.js';
import { activationClauses, clauseHolds } from '../space/conditions.js';
import { type PathSegment, type RawIssue } from '../space/raw-issue.js';
import { isMapping } from '../space/schema.js';
import type { ParamSpec, ParamSpecs } from '../space/types.js';
import { OPTIMIZERS, OPTIMIZER_SETTINGS, TRAIN_DEFAULTS } from './fields.js';
import type { OptimizerName } from './types.js';

/**
 * Refuses each optimizer setting that some trial would get although its optimizer ignores it: a
 * param as soon as one such trial can exist, a key of `train:` (that no param overrides) when no
 * trial's optimizer reads it. Settings with other problems (a wrong optimizer, a numeric optimizer
 * param) are left to the checks that report those.
 */
export function checkOptimizerUse(rawTask: unknown, params: ParamSpecs, issues: RawIssue[]): void {
  for (const name of Object.keys(params)) {
    const optimizers = readersOf(name);
    if (optimizers !== undefined) checkParam(name, optimizers, params, rawTask, issues);
  }
  const train = isMapping(rawTask) && isMapping(rawTask.train) ? rawTask.train : {};
  for (const [name, value] of Object.entries(train)) {
    const optimizers = readersOf(name);
    if (optimizers !== undefined && value !== undefined && !Object.hasOwn(params, name)) checkTrainKey(name, optimizers, params, rawTask, issues);
  }
}

/** The optimizers that read setting `name`; undefined when every one does (or it is no setting). */
function readersOf(name: string): readonly OptimizerName[] | undefined {
  return Object.hasOwn(OPTIMIZER_SETTINGS, name) ? OPTIMIZER_SETTINGS[name as keyof typeof OPTIMIZER_SETTINGS] : undefined;
}

/** The optimizers that a set of trials can train with. */
interface TrialOptimizers {
  /** Values of the optimizer param (in its order) that the set's conditions allow; empty when it is not a param. */
  chosen: OptimizerName[];
  /** train.optimizer, when some of these trials have no optimizer param (the space has none, or it is inactive). */
  train?: OptimizerName;
}

/**
 * The optimizers of the trials where `name` is active (every trial, for a name not in `params`):
 * the optimizer param's values that the conditions `name` exists under allow (its own `when:`
 * and its parents', all the way up), and train.optimizer if the optimizer param may be inactive
 * there. The optimizer param is surely active when one of those conditions names it, or when each
 * of its own conditions is among them. Undefined when a value it needs is wrong.
 */
function trialOptimizers(rawTask: unknown, params: ParamSpecs, name: string): TrialOptimizers | undefined {
  const trainOptimizer = trainOptimizerOf(rawTask);
  if (!Object.hasOwn(params, 'optimizer')) return trainOptimizer === undefined ? undefined : { chosen: [], train: trainOptimizer };
  const spec = params.optimizer;
  if (spec.type !== 'categorical' && spec.type !== 'fixed') return undefined;
  const clauses = Object.hasOwn(params, name) ? activationClauses(params, name) : [];
  const onOptimizer = clauses.filter(([parent]) => parent === 'optimizer').map(([, clause]) => clause);
  const chosen = optimizerValues(spec).filter((value) => onOptimizer.every((clause) => clauseHolds(clause, value)));
  const known = new Set(clauses.map((clause) => JSON.stringify(clause)));
  const alwaysActive = onOptimizer.length > 0 || activationClauses(params, 'optimizer').every((clause) => known.has(JSON.stringify(clause)));
  if (alwaysActive) return { chosen };
  return trainOptimizer === undefined ? undefined : { chosen, train: trainOptimizer };
}

function checkParam(name: string, optimizers: readonly OptimizerName[], params: ParamSpecs, rawTask: unknown, issues: RawIssue[]): void {
  const found = trialOptimizers(rawTask, params, name);
  if (found === undefined) return;
  const ignoring = found.chosen.filter((optimizer) => !optimizers.includes(optimizer));
  const trainIgnores = found.train !== undefined && !optimizers.includes(found.train);
  if (ignoring.length === 0 && !trainIgnores) return;
  const at: PathSegment[] = ['params', name];
  const users = wordList(optimizers, 'or');
  if (!Object.hasOwn(params, 'optimizer')) {
    issues.push({
      path: at,
      atKey: true,
      message: `${readBy(name, optimizers)}, but every trial trains with ${found.train} (${trainOptimizerSource(rawTask)}); set train.optimizer to ${users}, or remove the param`,
    });
    return;
  }
  const who = [
    ...(ignoring.length > 0 ? [`trials with optimizer ${wordList(ignoring, 'or')}`] : []),
    ...(trainIgnores ? [`trials where the optimizer param is inactive (they train with ${found.train}, ${trainOptimizerSource(rawTask)})`] : []),
  ].join(' and ');
  const usable = optimizerValues(params.optimizer).filter((optimizer) => optimizers.includes(optimizer));
  // A condition of its own on optimizer lets those through (the optimizer param is then always
  // active, so they are all among its values): point there.
  const own = params[name].when?.optimizer;
  const kept = own?.kind === 'in' ? own.values.filter((value) => !(ignoring as unknown[]).includes(value)) : [];
  let fix: string;
  if (usable.length === 0) fix = `the optimizer param never takes ${users}: add one to its choices, or remove this param`;
  else if (own === undefined) fix = `add when: { optimizer: [${usable.join(', ')}] }`;
  else if (kept.length > 0) fix = `take ${wordList(ignoring)} out of this condition`;
  else fix = `change this condition to [${usable.join(', ')}]`;
  issues.push({
    path: own === undefined ? at : [...at, 'when', 'optimizer'],
    atKey: own === undefined,
    message: `${readBy(name, optimizers)}, but ${who} would get it; ${fix}`,
  });
}

function checkTrainKey(name: string, optimizers: readonly OptimizerName[], params: ParamSpecs, rawTask: unknown, issues: RawIssue[]): void {
  const found = trialOptimizers(rawTask, params, name);
  if (found === undefined) return;
  const all = [...new Set([...found.chosen, ...(found.train !== undefined ? [found.train] : [])])];
  if (all.some((optimizer) => optimizers.includes(optimizer))) return;
  const users = wordList(optimizers, 'or');
  const message = Object.hasOwn(params, 'optimizer')
    ? `${readBy(name, optimizers)}, but trials train with ${wordList(all, 'or')} only; remove it, or add ${users} to the optimizer param's choices`
    : `${readBy(name, optimizers)}, but every trial trains with ${found.train} (${trainOptimizerSource(rawTask)}); remove it, or set train.optimizer to ${users}`;
  issues.push({ path: ['objective', 'task', 'train', name], atKey: true, message });
}

function readBy(name: string, optimizers: readonly OptimizerName[]): string {
  return `${name} is used by the ${wordList(optimizers)} optimizer${optimizers.length === 1 ? '' : 's'} only`;
}

function isOptimizer(value: unknown): value is OptimizerName {
  return (OPTIMIZERS as readonly unknown[]).includes(value);
}

/** The values of an optimizer param that are optimizers (a wrong one is reported by the value checks). */
function optimizerValues(spec: ParamSpec): OptimizerName[] {
  return (spec.type === 'categorical' ? spec.choices : spec.type === 'fixed' ? [spec.value] : []).filter(isOptimizer);
}

/** train.optimizer as written, or its default; undefined when it is not an optimizer (the task's check says so). */
function trainOptimizerOf(rawTask: unknown): OptimizerName | undefined {
  if (!isMapping(rawTask)) return undefined;
  const train = rawTask.train ?? {};
  if (!isMapping(train)) return undefined;
  const name = train.optimizer ?? TRAIN_DEFAULTS.optimizer;
  return isOptimizer(name) ? name : undefined;
}

/** Where train.optimizer comes from, as messages say it. */
function trainOptimizerSource(rawTask: unknown): string {
  const written = isMapping(rawTask) && isMapping(rawTask.train) && rawTask.train.optimizer !== undefined;
  return written ? 'train.optimizer' : 'the default of train.optimizer';
}
