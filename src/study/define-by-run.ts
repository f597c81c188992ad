/**
 * Define-by-run on the main thread: what a study knows of a trial it asked for while the trial's
 * objective asks for params (ctx.suggestFloat and the like), and which asks it can answer from
 * what the trial already has. The rest the sampler draws (Study.suggest).
 *
 * The rules, in order:
 * 1. a name the trial asked for before gets the same value, asked with the same distribution;
 * 2. a name the space declares has the value drawn for the trial when it was asked (with the
 *    declared distribution; a fixed param's value when it lies in the range asked for), and none
 *    at all where its `when:` does not hold;
 * 3. a name the trial holds otherwise (given to it) keeps its value, if it fits;
 * 4. anything else is new: the sampler draws it.
 */
import { HpsearchError } from '../errors.js';
import { describeDistribution, fitsDistribution, sameDistribution, showParamValue, type AskedSpec } from '../space/asked-spec.js';
import { describeConditions } from '../space/conditions.js';
import type { Params, ParamSpecs, ParamValue } from '../space/types.js';
import type { TrialLease } from '../storage/storage.js';

/** A trial the study asked for and has not told yet, as the study keeps it while its objective runs. */
export interface RunningTrial {
  readonly lease: TrialLease;
  readonly number: number;
  /** Its sample index (its number when it was enqueued): what the sampler's streams for it are keyed by. */
  readonly index: number;
  readonly enqueued: boolean;
  /** Its params: the draw at ask, then each param asked for, as it is stored. Replaced, never changed in place. */
  params: Params;
  /** The distributions its objective asked with, by name. */
  readonly asked: Map<string, AskedSpec>;
  /** The end of the last suggestion: a trial's suggestions are answered one at a time, in the order asked. */
  queue: Promise<unknown>;
}

/**
 * The value the trial already has for `name` under `spec` (rules 1 to 3), or null when the
 * sampler must draw it (rule 4). E_USAGE, naming both distributions, when the ask does not agree
 * with what came before.
 */
export function knownValue(specs: ParamSpecs, trial: RunningTrial, name: string, spec: AskedSpec): { value: ParamValue } | null {
  const held = Object.hasOwn(trial.params, name) ? { value: trial.params[name] } : null;
  const before = trial.asked.get(name);
  if (before !== undefined) {
    if (!sameDistribution(before, spec)) {
      throw new HpsearchError(
        'E_USAGE',
        `trial ${trial.number} asked for param "${name}" as ${describeDistribution(spec)}, but earlier as ${describeDistribution(before)}` +
          `${held ? ` (and got ${showParamValue(held.value)})` : ''}: ask for a param with the same distribution every time`,
      );
    }
    return held;
  }
  const declared = Object.hasOwn(specs, name) ? specs[name] : undefined;
  if (declared !== undefined) {
    if (held === null) {
      const parents = Object.keys(declared.when ?? {}).map((parent) =>
        Object.hasOwn(trial.params, parent) ? `${parent} = ${showParamValue(trial.params[parent])}` : `${parent} is absent`,
      );
      throw new HpsearchError(
        'E_USAGE',
        `param "${name}" is declared in the space, and inactive in trial ${trial.number}: it exists only when ${describeConditions(declared.when)}` +
          `, and here ${parents.join(', ')}; ask for it only where its when: holds, or take it out of the space's params to ask for it anywhere`,
      );
    }
    if (declared.type === 'fixed') {
      if (fitsDistribution(held.value, spec)) return held;
      throw new HpsearchError(
        'E_USAGE',
        `param "${name}" is fixed at ${showParamValue(declared.value)} in the space, which trial ${trial.number} asked for as ${describeDistribution(spec)}: ` +
          `ask with a distribution that holds ${showParamValue(declared.value)}, or take "${name}" out of the space's params`,
      );
    }
    if (sameDistribution(declared, spec)) return held;
    throw new HpsearchError(
      'E_USAGE',
      `param "${name}" is declared in the space as ${describeDistribution(declared)}, but trial ${trial.number} asked for it as ${describeDistribution(spec)}: ` +
        `ask with the declared distribution, or take "${name}" out of the space's params`,
    );
  }
  if (held === null) return null;
  if (fitsDistribution(held.value, spec)) return held;
  throw new HpsearchError(
    'E_USAGE',
    `trial ${trial.number} was given param "${name}" = ${showParamValue(held.value)}, which is not ${describeDistribution(spec)}, as its objective asked for it: ` +
      'give a value the objective asks for, or ask with a distribution that holds it',
  );
}
