import { dirname } from 'node:path';
import { HpsearchError } from '../errors.js';
import { validateSpaceDocument } from './load.js';
import { searchDocumentAs } from './search-document.js';
import type { LoadedSpace, Strategy } from './types.js';
import type { PrunerType } from './pruner-spec.js';

/** What a command line may change in a space file (`--study`, `--seed`, `--trials`, `--pruner`, a sampler of `compare --samplers`). */
export interface SpaceOverrides {
  study?: string;
  seed?: number;
  trials?: number;
  /** A pruner type: the file's pruner settings if it has that type, else that type's defaults. */
  pruner?: PrunerType;
  /** Another search strategy for the same space and budget (see searchDocumentAs): random ↔ tpe. */
  strategy?: Strategy;
}

/**
 * Applies the overrides to the document and validates it again, so the space stored with the
 * study says what ran (its name, its seed, its budget).
 */
export function withOverrides(loaded: LoadedSpace, file: string, overrides: SpaceOverrides): LoadedSpace {
  const raw = structuredClone(loaded.raw) as Record<string, unknown>;
  raw['study'] = overrides.study ?? loaded.space.study;
  raw['seed'] = overrides.seed ?? loaded.space.seed;
  if (overrides.pruner !== undefined && loaded.space.pruner.type !== overrides.pruner) {
    raw['pruner'] = { type: overrides.pruner };
  }
  if (overrides.strategy !== undefined) raw['search'] = searchDocumentAs(raw['search'] as Record<string, unknown>, overrides.strategy);
  if (overrides.trials !== undefined) {
    if (loaded.space.search.strategy === 'narrowing') {
      if (overrides.trials !== loaded.space.search.trials) {
        throw new HpsearchError(
          'E_USAGE',
          `--trials ${overrides.trials}: a narrowing search runs rounds x trials_per_round = ${loaded.space.search.trials} trials; change those in ${file}`,
        );
      }
    } else {
      raw['search'] = { ...(raw['search'] as Record<string, unknown>), trials: overrides.trials };
    }
  }
  const space = validateSpaceDocument(raw, file, dirname(loaded.file));
  return { ...loaded, raw, space };
}
