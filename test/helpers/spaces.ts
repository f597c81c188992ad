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
  /**
   * The params section, one YAML line per param, e.g. `lr: { type: float, low: 1.0e-5, high: 1.0e-1, log: true }`;
   * left out, the file has none (the objective asks for its params itself).
   */
  params?: string[];
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
${space.params === undefined ? '' : `params:\n${space.params.map((line) => `  ${line}\n`).join('')}`}`;
}

export interface TaskSpace {
  study: string;
  trials: number;
  /** Default 3. */
  epochs?: number;
  /** The whole model mapping, e.g. `{ type: cnn, filters: [4], kernel: 3, dense: 16 }` (default: the MLP of `hidden`). */
  model?: string;
  /** Hidden layer widths (default [50, 50, 50]). */
  hidden?: number[];
  /** Extra `train:` settings, e.g. `learning_rate: 0.05`. */
  train?: string;
  /** The params section, one YAML line per param (default: best-5's learning rate and weight decay). */
  params?: string[];
  /** Extra top-level lines, e.g. `divergence: false`. */
  extra?: string[];
}

export const BEST5_PARAMS = [
  'learning_rate: { type: float, low: 1.0e-3, high: 1.0e-1, log: true }',
  'weight_decay: { type: float, low: 1.0e-8, high: 1.0e-4, log: true }',
];

/**
 * The text of a random-search space over the built-in task in the shape of best-5 ("Deep
 * Learning from Scratch" ch. 6): MNIST, an MLP with He initialisation and ReLU, plain SGD, shrunk
 * to 300 images so a test trains a trial in seconds.
 */
export function taskSpaceYaml(space: TaskSpace): string {
  const train = ['optimizer: sgd', ...(space.train ? [space.train] : []), 'batch_size: 60', `epochs: ${space.epochs ?? 3}`].join(', ');
  return `study: ${space.study}
seed: 5
objective:
  metric: val_accuracy
  direction: maximize
  task:
    dataset: { name: mnist, train_samples: 300, validation_split: 0.2 }
    model: ${space.model ?? `{ type: mlp, hidden: [${(space.hidden ?? [50, 50, 50]).join(', ')}], activation: relu, initializer: he_normal }`}
    train: { ${train} }
${(space.extra ?? []).map((line) => `${line}\n`).join('')}search:
  strategy: random
  trials: ${space.trials}
params:
${(space.params ?? BEST5_PARAMS).map((line) => `  ${line}`).join('\n')}
`;
}
