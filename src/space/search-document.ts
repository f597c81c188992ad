/**
 * The `search:` section of a space document (the file as written, which is also what a study
 * stores): which strategy it names, and the same search under another strategy, for a
 * comparison of samplers on one space (`hpsearch compare --samplers`).
 */
import { HpsearchError } from '../errors.js';
import { SEARCH_SCHEMAS, STRATEGIES, TPE_DEFAULTS, isMapping } from './schema.js';
import type { Strategy } from './types.js';

/** The strategy a space document's `search:` names; null when it names none this version knows. */
export function documentStrategy(document: unknown): Strategy | null {
  const search = isMapping(document) ? document['search'] : undefined;
  const strategy = isMapping(search) ? search['strategy'] : undefined;
  return STRATEGIES.find((name) => name === strategy) ?? null;
}

/**
 * The strategies that can stand in for one another on the same space and budget: each draws
 * every trial from the whole space, and its only budget is `trials`. Grid search visits the
 * points of its grid (`values`, `grid: N`) and narrowing fixes its budget in rounds, so putting
 * either in place of another changes the experiment, not only the sampler.
 */
export const INTERCHANGEABLE_STRATEGIES = ['random', 'tpe'] as const satisfies readonly Strategy[];
export type InterchangeableStrategy = (typeof INTERCHANGEABLE_STRATEGIES)[number];

/** Each interchangeable strategy's own settings, written out as the file spells them. */
const OWN_DEFAULTS: Record<InterchangeableStrategy, Record<string, unknown>> = {
  random: {},
  tpe: Object.fromEntries(Object.entries(TPE_DEFAULTS).map(([key, value]) => [snakeCase(key), value])),
};

/** Why only INTERCHANGEABLE_STRATEGIES can be swapped, for messages that refuse the others. */
export const INTERCHANGEABLE_REASON =
  `only ${INTERCHANGEABLE_STRATEGIES.join(' and ')} can take one another's place: each draws every trial from the whole space with trials as its only budget, ` +
  'while grid search visits the points of its grid and narrowing sets its budget in rounds';

export function isInterchangeable(strategy: Strategy): strategy is InterchangeableStrategy {
  return (INTERCHANGEABLE_STRATEGIES as readonly Strategy[]).includes(strategy);
}

/**
 * A valid document's `search:` mapping as a search of strategy `to`: the keys both strategies
 * take (`trials`, and whatever else they share) as written, the other strategy's own keys
 * dropped, and `to`'s own settings at their defaults, written out so the stored space says what
 * ran. A search of `to` already comes back as it is (a tpe file keeps its own tpe settings).
 * E_USAGE when either strategy is not one of INTERCHANGEABLE_STRATEGIES, saying why.
 */
export function searchDocumentAs(search: Record<string, unknown>, to: Strategy): Record<string, unknown> {
  const from = STRATEGIES.find((name) => name === search['strategy']);
  if (from === undefined) throw new HpsearchError('E_USAGE', `the search names no known strategy (expected one of ${STRATEGIES.join(', ')})`);
  if (!isInterchangeable(to)) throw new HpsearchError('E_USAGE', `cannot run the space with ${to} search in place of its own; ${INTERCHANGEABLE_REASON}`);
  if (!isInterchangeable(from)) {
    const choices = INTERCHANGEABLE_STRATEGIES.join(' or ');
    throw new HpsearchError('E_USAGE', `the space uses ${from} search, which cannot be swapped for ${to}; ${INTERCHANGEABLE_REASON} (set search.strategy to ${choices} in the file)`);
  }
  if (from === to) return { ...search };
  const shared = Object.keys(SEARCH_SCHEMAS[to].shape).filter((key) => key !== 'strategy' && Object.hasOwn(SEARCH_SCHEMAS[from].shape, key));
  const kept = Object.fromEntries(Object.entries(search).filter(([key]) => shared.includes(key)));
  return { strategy: to, ...OWN_DEFAULTS[to], ...kept };
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
