import { HyperbandPruner } from './hyperband.js';
import { NopPruner } from './none.js';
import { medianPruner, PercentilePruner } from './percentile.js';
import type { Pruner } from './pruner.js';
import type { PrunerSpec, PrunerType } from '../space/pruner-spec.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

export type { PeerValue, PruneContext, PruneDecision, Pruner } from './pruner.js';
export type { PrunerSpec, PrunerType } from '../space/pruner-spec.js';
export { PRUNER_ALIASES, PRUNER_TYPES } from '../space/pruner-spec.js';
export { defaultPrunerSpec, resolvePrunerType } from '../space/pruner-spec.js';
export { NopPruner } from './none.js';
export { linearPercentile, medianPruner, PercentilePruner } from './percentile.js';
export { SuccessiveHalvingPruner } from './successive-halving.js';
export { bracketBudgets, bracketCount, crc32, HyperbandPruner, hyperbandBracket } from './hyperband.js';
export type { HyperbandSettings } from './hyperband.js';

/** What a pruner is told besides its spec. */
export interface PrunerOptions {
  /** The study metric's name, quoted in prune reasons. */
  metric?: string;
}

type PrunerFactory<T extends PrunerType> = (spec: Extract<PrunerSpec, { type: T }>, options: PrunerOptions) => Pruner;

/** One factory per type; a full mapped type, so a new type in PRUNER_TYPES cannot be left out. */
export const pruners: { readonly [T in PrunerType]: PrunerFactory<T> } = {
  none: () => new NopPruner(),
  median: (spec, options) => medianPruner(spec, options),
  percentile: (spec, options) => new PercentilePruner(spec.percentile, spec, options),
  successive_halving: (spec, options) => new SuccessiveHalvingPruner(spec, options),
  hyperband: (spec, options) => new HyperbandPruner(spec, options),
};

export function createPruner(spec: PrunerSpec, options: PrunerOptions = {}): Pruner {
  // TypeScript cannot tie pruners[spec.type] to spec's own member of the union; the mapped type above does.
  const factory = pruners[spec.type] as PrunerFactory<PrunerType>;
  return factory(spec, options);
}
