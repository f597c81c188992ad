import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { activeParams, isConditional } from '../../../src/space/conditions.js';
import { gridValues } from '../../../src/space/distributions.js';
import { loadSpaceFile, parseSpace } from '../../../src/space/load.js';
import type { Params, ParamSpecs } from '../../../src/space/types.js';
import { taskForTrial } from '../../../src/task/settings.js';

const DIR = fileURLToPath(new URL('../../../search-spaces/', import.meta.url));
const FILES = readdirSync(DIR).filter((name) => /\.(ya?ml|json)$/.test(name));
const TASK_FILES = ['best5.yaml', 'best5-narrowed.yaml', 'optimizers.yaml', 'init-activation.yaml', 'cnn.yaml', 'overfitting.yaml'];

/** The distinct trials of a conditional grid: each point of the full product with its inactive params left out. */
function conditionalGrid(specs: ParamSpecs): Params[] {
  let points: Params[] = [{}];
  for (const [name, spec] of Object.entries(specs)) points = points.flatMap((point) => gridValues(spec)!.map((value) => ({ ...point, [name]: value })));
  const active = new Map(points.map((point) => activeParams(specs, point)).map((point) => [JSON.stringify(point), point]));
  return [...active.values()];
}

describe('search-spaces/', () => {
  it('holds the task studies', () => {
    expect(FILES).toEqual(expect.arrayContaining(TASK_FILES));
  });

  it.each(FILES)('%s loads and validates', async (name) => {
    const { space } = await loadSpaceFile(path.join(DIR, name));
    expect(space.study).toBe(name.replace(/\.(ya?ml|json)$/, ''));
  });

  it.each(TASK_FILES)('%s points editors at the schema and says what it reproduces', async (name) => {
    const lines = readFileSync(path.join(DIR, name), 'utf8').split('\n');
    expect(lines[0]).toBe('# yaml-language-server: $schema=../search-space.schema.json');
    expect(lines[1]).toMatch(/^# \S/);
    const { space } = await loadSpaceFile(path.join(DIR, name));
    expect(space.objective.task).toBeDefined();
    expect(space.seed).toBe(42);
  });

  it('best5.yaml is the book\'s search', async () => {
    const { space } = await loadSpaceFile(path.join(DIR, 'best5.yaml'));
    expect(space.objective).toMatchObject({ metric: 'val_accuracy', direction: 'maximize' });
    const task = space.objective.task!;
    expect(task.dataset).toEqual({ source: { type: 'builtin', name: 'mnist' }, trainSamples: 500, validationSplit: 0.2, useTestSet: false, scale: true, shuffle: true });
    expect(task.model).toMatchObject({ type: 'mlp', hidden: Array(6).fill(100), activation: 'relu', initializer: 'he_normal' });
    expect(task.train).toMatchObject({ optimizer: 'sgd', batchSize: 100, epochs: 50 });
    expect(space.search).toEqual({ strategy: 'random', trials: 100 });
    expect(space.params).toEqual({
      learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
      weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
    });
    const trial = taskForTrial(task, { learning_rate: 3e-3, weight_decay: 1e-6 });
    expect(trial.train).toMatchObject({ learningRate: 3e-3, weightDecay: 1e-6 });
  });

  it('the grids have the sizes their comments give', async () => {
    const trials = async (name: string) => (await loadSpaceFile(path.join(DIR, name))).space.search.trials;
    expect(await trials('init-activation.yaml')).toBe(12);
    expect(await trials('overfitting.yaml')).toBe(6);
    expect(await trials('best5-narrowed.yaml')).toBe(100);
    expect(await trials('optimizers.yaml')).toBe(12);
  });

  it('optimizers.yaml gives each optimizer the settings it reads, and only those', async () => {
    const file = path.join(DIR, 'optimizers.yaml');
    const { space } = await loadSpaceFile(file);
    const only = (...values: string[]) => ({ optimizer: { kind: 'in', values } });
    expect(space.params).toEqual({
      optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] },
      learning_rate: { type: 'fixed', value: 0.001, when: only('rmsprop', 'adam') },
      momentum: { type: 'float', low: 0.5, high: 0.9, log: false, values: [0.5, 0.9], when: only('momentum', 'nesterov') },
      rho: { type: 'float', low: 0.9, high: 0.99, log: false, values: [0.9, 0.99], when: only('rmsprop') },
      beta1: { type: 'float', low: 0.5, high: 0.9, log: false, values: [0.5, 0.9], when: only('adam') },
      beta2: { type: 'float', low: 0.99, high: 0.999, log: false, values: [0.99, 0.999], when: only('adam') },
    });
    expect(isConditional(space.params)).toBe(true);
    expect(space.search.strategy).toBe('grid');

    // The grid is the sum over the optimizer's branches, as many trials as the comment says.
    const text = readFileSync(file, 'utf8');
    const trials = conditionalGrid(space.params);
    expect(trials).toHaveLength(Number(/= (\d+) trials/.exec(text)?.[1]));
    expect(trials).toHaveLength(12);
    expect(trials.filter((params) => params.optimizer === 'adam')).toEqual([
      { optimizer: 'adam', learning_rate: 0.001, beta1: 0.5, beta2: 0.99 },
      { optimizer: 'adam', learning_rate: 0.001, beta1: 0.5, beta2: 0.999 },
      { optimizer: 'adam', learning_rate: 0.001, beta1: 0.9, beta2: 0.99 },
      { optimizer: 'adam', learning_rate: 0.001, beta1: 0.9, beta2: 0.999 },
    ]);
    expect(trials).toContainEqual({ optimizer: 'sgd' });

    // A trial keeps the task's own value of every setting it does not search.
    const task = space.objective.task!;
    expect(taskForTrial(task, { optimizer: 'sgd' }).train).toEqual({ ...task.train, optimizer: 'sgd', learningRate: 0.01 });
    expect(taskForTrial(task, { optimizer: 'rmsprop', learning_rate: 0.001, rho: 0.99 }).train).toMatchObject({ learningRate: 0.001, rho: 0.99, epsilon: 1e-7 });

    // Without its condition, momentum would go to trials whose optimizer ignores it.
    const unconditional = text.replace(', when: { optimizer: [momentum, nesterov] }', '');
    expect(unconditional).not.toBe(text);
    expect(() => parseSpace(unconditional, file, DIR)).toThrow(
      'params.momentum: momentum is used by the momentum and nesterov optimizers only, but trials with optimizer sgd, adagrad, rmsprop or adam would get it; add when: { optimizer: [momentum, nesterov] }',
    );
  });
});
