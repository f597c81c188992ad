/**
 * Conditional params: a param with `when:` exists only in trials where its parents are active and
 * take the values it names (`momentum` only for the momentum optimizers, `units_3` only with three
 * layers or more). What every sampler, the enqueue check and define-by-run share: the order in
 * which params can be decided (parents first), and which params a set of values makes active.
 *
 * An inactive param is absent from a trial's params, never null: that is how storage, the
 * leaderboard and the report tell "not used here" from a value.
 */
import { formatNumber } from '../format/numbers.js';
import type { Rng } from '../random/rng.js';
import { sampleParam } from './distributions.js';
import type { ConditionClause, ParamConditions, Params, ParamSpec, ParamSpecs, ParamValue } from './types.js';

/** Whether a parent's value meets a clause. A range holds only for finite numbers inside it. */
export function clauseHolds(clause: ConditionClause, value: ParamValue | undefined): boolean {
  if (value === undefined) return false;
  if (clause.kind === 'in') return clause.values.includes(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  return (clause.min === undefined || value >= clause.min) && (clause.max === undefined || value <= clause.max);
}

/** Whether any param of the space has a condition. */
export function isConditional(specs: ParamSpecs): boolean {
  return Object.values(specs).some((spec) => spec.when !== undefined);
}

const orders = new WeakMap<ParamSpecs, readonly string[]>();

/**
 * The params in an order where each comes after its parents: declaration order, except that a
 * param declared before a parent moves after it. Stable, so an unconditional space keeps its
 * order. Assumes the conditions name known params and have no cycle (the loader checks both);
 * a param caught in one anyway comes last, in declaration order.
 */
export function decisionOrder(specs: ParamSpecs): readonly string[] {
  const known = orders.get(specs);
  if (known !== undefined) return known;
  const names = Object.keys(specs);
  const placed = new Set<string>();
  const order: string[] = [];
  let progress = true;
  while (order.length < names.length && progress) {
    progress = false;
    for (const name of names) {
      if (placed.has(name)) continue;
      const parents = Object.keys(specs[name].when ?? {});
      if (parents.every((parent) => placed.has(parent) || !Object.hasOwn(specs, parent))) {
        placed.add(name);
        order.push(name);
        progress = true;
        // Back to the start: an earlier-declared param waiting for this one goes next.
        break;
      }
    }
  }
  for (const name of names) if (!placed.has(name)) order.push(name);
  orders.set(specs, order);
  return order;
}

/** Whether `spec`'s conditions hold for the params decided so far (its parents active and meeting their clauses). */
export function conditionsHold(spec: ParamSpec, decided: Params): boolean {
  if (spec.when === undefined) return true;
  for (const [parent, clause] of Object.entries(spec.when)) {
    if (!Object.hasOwn(decided, parent) || !clauseHolds(clause, decided[parent])) return false;
  }
  return true;
}

/**
 * Decides a trial's params in `decisionOrder`: each active param gets `given[name]` when given,
 * else `pick(name, spec, decided)`; an inactive one is left out, whatever `given` says. Returns
 * the active params in declaration order.
 */
export function decideParams(
  specs: ParamSpecs,
  pick: (name: string, spec: ParamSpec, decided: Params) => ParamValue,
  given?: Params,
): Params {
  const decided: Params = {};
  for (const name of decisionOrder(specs)) {
    const spec = specs[name];
    if (!conditionsHold(spec, decided)) continue;
    decided[name] = given !== undefined && Object.hasOwn(given, name) ? given[name] : pick(name, spec, decided);
  }
  return inDeclarationOrder(specs, decided);
}

/** The names of the params that `params` make active (those with no conditions included). */
export function activeNames(specs: ParamSpecs, params: Params): string[] {
  // pick only runs for a param `params` lacks: it is taken as null (a child whose clause lists null counts as active).
  return Object.keys(decideParams(specs, () => null, params));
}

/** The active params of `params`, in declaration order, as a sampler would store them. */
export function activeParams(specs: ParamSpecs, params: Params): Params {
  const active: Params = {};
  for (const name of activeNames(specs, params)) if (Object.hasOwn(params, name)) active[name] = params[name];
  return active;
}

/**
 * One value per active param, each drawn from a stream of its own, `streamFor(name)`: adding,
 * removing or deactivating a param never changes another's draw. What random search (and TPE's
 * startup, and narrowing within a round's ranges) draws.
 */
export function sampleActive(specs: ParamSpecs, streamFor: (name: string) => Rng, given?: Params): Params {
  return decideParams(specs, (name, spec) => sampleParam(streamFor(name), spec), given);
}

function inDeclarationOrder(specs: ParamSpecs, decided: Params): Params {
  const ordered: Params = {};
  for (const name of Object.keys(specs)) if (Object.hasOwn(decided, name)) ordered[name] = decided[name];
  return ordered;
}

/** A clause as messages and the report show it: `optimizer in [momentum, nesterov]`, `layers >= 3`. */
export function describeClause(parent: string, clause: ConditionClause): string {
  if (clause.kind === 'in') {
    const shown = clause.values.map((v) => (typeof v === 'number' ? formatNumber(v, 15) : String(v)));
    return shown.length === 1 ? `${parent} = ${shown[0]}` : `${parent} in [${shown.join(', ')}]`;
  }
  const { min, max } = clause;
  if (min !== undefined && max !== undefined) return min === max ? `${parent} = ${formatNumber(min, 15)}` : `${formatNumber(min, 15)} <= ${parent} <= ${formatNumber(max, 15)}`;
  return min !== undefined ? `${parent} >= ${formatNumber(min, 15)}` : `${parent} <= ${formatNumber(max!, 15)}`;
}

/** All of a param's clauses, joined by "and"; empty for an unconditional param. */
export function describeConditions(when: ParamConditions | undefined): string {
  return when === undefined ? '' : Object.entries(when).map(([parent, clause]) => describeClause(parent, clause)).join(' and ');
}

/**
 * The clauses a param exists under: its own and, recursively, its parents' (each param's once).
 * All of them hold in every trial where the param is active, and each parent they name is active
 * there.
 */
export function activationClauses(specs: ParamSpecs, name: string): (readonly [parent: string, clause: ConditionClause])[] {
  const seen = new Set<string>();
  const clauses: (readonly [string, ConditionClause])[] = [];
  const visit = (param: string) => {
    const when = specs[param]?.when;
    if (when === undefined || seen.has(param)) return;
    seen.add(param);
    for (const [parent, clause] of Object.entries(when)) {
      clauses.push([parent, clause]);
      visit(parent);
    }
  };
  visit(name);
  return clauses;
}

/**
 * The chain of conditions a param exists under (`activationClauses`) as one key: params with
 * equal keys are always active together (what multivariate TPE groups by). '' for an
 * unconditional param.
 */
export function activationKey(specs: ParamSpecs, name: string): string {
  return [...new Set(activationClauses(specs, name).map((clause) => JSON.stringify(clause)))].sort().join('&');
}
