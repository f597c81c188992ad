import { HpsearchError } from '../errors.js';
import { defaultPrunerSpec, resolvePrunerType, PRUNER_ALIASES, PRUNER_TYPES, type PrunerSpec } from '../space/pruner-spec.js';
import { suggestion } from '../space/did-you-mean.js';
import { fullTrialSteps } from '../space/full-trial-steps.js';
import { STRATEGIES } from '../space/schema.js';
import { INTERCHANGEABLE_REASON, INTERCHANGEABLE_STRATEGIES, isInterchangeable, type InterchangeableStrategy } from '../space/search-document.js';
import type { SearchSpace } from '../space/types.js';

/** A strategy of an early-stopping study: the name the user gave (`asha`) and the pruner it stands for. */
export interface CompareStrategy {
  name: string;
  pruner: PrunerSpec;
}

/** The strategy every other is measured against: the same space without a pruner. */
export const REFERENCE_STRATEGY = 'none';
export const DEFAULT_STRATEGIES = ['none', 'median', 'asha', 'hyperband'] as const;
export const STRATEGY_NAMES: readonly string[] = [...PRUNER_TYPES, ...Object.keys(PRUNER_ALIASES)];

/**
 * Resolves strategy names to pruner specs: the space file's own `pruner:` settings when its type
 * matches, else that type's defaults, sized by the task's epochs (or the max_resource of the file's
 * pruner, for a module objective). The reference `none` is
 * always run, first; it is added when missing (`added` says so).
 */
export function resolveStrategies(
  names: readonly string[],
  space: Pick<SearchSpace, 'objective' | 'params' | 'pruner'>,
): { strategies: CompareStrategy[]; added: boolean } {
  if (names.length === 0) throw new HpsearchError('E_USAGE', `--pruners is empty; give e.g. ${DEFAULT_STRATEGIES.join(',')}`);
  // A module objective's full length is unknown, unless the file's own pruner says it.
  const maxResource = fullTrialSteps(space.objective, space.params) ?? ('maxResource' in space.pruner ? space.pruner.maxResource : null);
  const byType = new Map<string, string>();
  const strategies: CompareStrategy[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') throw new HpsearchError('E_USAGE', `--pruners has an empty name; give a comma-separated list such as ${DEFAULT_STRATEGIES.join(',')}`);
    const type = resolvePrunerType(name);
    if (type === undefined) {
      throw new HpsearchError(
        'E_USAGE',
        `unknown pruning strategy "${name}"${suggestion(name, STRATEGY_NAMES)} (expected one of ${STRATEGY_NAMES.join(', ')})`,
      );
    }
    const earlier = byType.get(type);
    if (earlier !== undefined) {
      throw new HpsearchError('E_USAGE', `--pruners names the ${type} pruner twice ("${earlier}" and "${name}"); list each strategy once`);
    }
    byType.set(type, name);
    const pruner = space.pruner.type === type ? space.pruner : defaultPrunerSpec(type, maxResource);
    strategies.push({ name, pruner });
  }
  const reference = strategies.find((s) => s.pruner.type === 'none');
  const others = strategies.filter((s) => s !== reference);
  return {
    strategies: [reference ?? { name: REFERENCE_STRATEGY, pruner: { type: 'none' } }, ...others],
    added: reference === undefined,
  };
}

/**
 * Resolves `--samplers` names to the search strategies to run the space with, in the order given
 * (the first one's `none` run is the reference). Only INTERCHANGEABLE_STRATEGIES can be compared,
 * and only on a space whose own search is one of them: E_USAGE, saying why, for grid and narrowing.
 */
export function resolveSamplers(names: readonly string[], space: Pick<SearchSpace, 'search'>): InterchangeableStrategy[] {
  const choices = INTERCHANGEABLE_STRATEGIES.join(',');
  if (names.length === 0) throw new HpsearchError('E_USAGE', `--samplers is empty; give e.g. ${choices}`);
  const own = space.search.strategy;
  if (!isInterchangeable(own)) {
    throw new HpsearchError(
      'E_USAGE',
      `--samplers: the space uses ${own} search, so no other sampler can run it; ${INTERCHANGEABLE_REASON}. Compare samplers on a copy of the file with search.strategy: ${INTERCHANGEABLE_STRATEGIES.join(' or ')}`,
    );
  }
  const samplers: InterchangeableStrategy[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') throw new HpsearchError('E_USAGE', `--samplers has an empty name; give a comma-separated list such as ${choices}`);
    const strategy = STRATEGIES.find((known) => known === name);
    if (strategy === undefined) {
      throw new HpsearchError('E_USAGE', `unknown sampler "${name}"${suggestion(name, INTERCHANGEABLE_STRATEGIES)} (expected one of ${INTERCHANGEABLE_STRATEGIES.join(', ')})`);
    }
    if (!isInterchangeable(strategy)) throw new HpsearchError('E_USAGE', `--samplers: ${strategy} cannot be compared; ${INTERCHANGEABLE_REASON}`);
    if (samplers.includes(strategy)) throw new HpsearchError('E_USAGE', `--samplers names ${strategy} twice; list each sampler once`);
    samplers.push(strategy);
  }
  return samplers;
}
