import { pathToFileURL } from 'node:url';
import type { Objective } from '../../study/objective.js';

const cache = new Map<string, Promise<Objective>>();

/** Imports an objective module once per worker thread and checks its default export. */
export function loadObjective(modulePath: string): Promise<Objective> {
  let loaded = cache.get(modulePath);
  if (!loaded) {
    loaded = importObjective(modulePath);
    cache.set(modulePath, loaded);
  }
  return loaded;
}

async function importObjective(modulePath: string): Promise<Objective> {
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ObjectiveLoadError(`cannot load objective module ${modulePath}: ${reason}`);
  }
  if (typeof mod.default !== 'function') {
    throw new ObjectiveLoadError(
      `objective module ${modulePath} must export a default function: export default async (params, ctx) => number`,
    );
  }
  return mod.default as Objective;
}

export class ObjectiveLoadError extends Error {
  override name = 'ObjectiveLoadError';
}
