import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseSpace } from '../../../src/space/load.js';
import type { SearchSpace } from '../../../src/space/types.js';
import type { TaskSpec } from '../../../src/task/types.js';

export const SPACES_DIR = fileURLToPath(new URL('../../fixtures/spaces/', import.meta.url));
export const DATA_DIR = path.join(SPACES_DIR, 'data');

/** A valid document with a task objective; tests change one part and check what is reported. */
export function taskDoc(task: Record<string, unknown> = { dataset: { name: 'mnist' } }, params: Record<string, unknown> = {}): Record<string, any> {
  return {
    study: 'task',
    seed: 1,
    objective: { direction: 'maximize', task },
    search: { strategy: 'random', trials: 4 },
    params: { learning_rate: { type: 'float', low: 1e-4, high: 1e-1, log: true }, ...params },
  };
}

export function spaceOf(source: string | object): SearchSpace {
  const text = typeof source === 'string' ? source : stringify(source);
  return parseSpace(text, 'space.yaml', SPACES_DIR).space;
}

export function taskOf(source: string | object): TaskSpec {
  const task = spaceOf(source).objective.task;
  if (task === undefined) throw new Error('expected a task objective');
  return task;
}
