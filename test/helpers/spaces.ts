import { join } from 'node:path';
import { OBJECTIVES } from './temp.js';

export interface ModuleSpace {
  study: string;
  seed: number;
  /** A fixture objective in test/fixtures/objectives (default curve.mjs). */
  objective?: string;
  trials: number;
  /** Extra lines of the search section, e.g. `strategy: tpe` (default strategy: random). */
  search?: string[];
  /** The params section, one YAML line per param, e.g. `lr: { type: float, low: 1.0e-5, high: 1.0e-1, log: true }`. */
  params: string[];
}

/** The text of a random-search space file over a fixture objective, maximizing val_accuracy. */
export function moduleSpaceYaml(space: ModuleSpace): string {
  return `study: ${space.study}
seed: ${space.seed}
objective:
  module: ${JSON.stringify(join(OBJECTIVES, space.objective ?? 'curve.mjs'))}
  metric: val_accuracy
  direction: maximize
search:
${(space.search?.some((line) => line.startsWith('strategy:')) ? space.search : ['strategy: random', ...(space.search ?? [])]).map((line) => `  ${line}`).join('\n')}
  trials: ${space.trials}
params:
${space.params.map((line) => `  ${line}`).join('\n')}
`;
}
