import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSpaceFile } from '../../../src/space/load.js';
import { taskForTrial } from '../../../src/task/settings.js';

const DIR = fileURLToPath(new URL('../../../search-spaces/', import.meta.url));
const FILES = readdirSync(DIR).filter((name) => /\.(ya?ml|json)$/.test(name));
const TASK_FILES = ['best5.yaml', 'best5-narrowed.yaml', 'optimizers.yaml', 'init-activation.yaml', 'cnn.yaml', 'overfitting.yaml'];

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
    expect(await trials('optimizers.yaml')).toBe(4);
    expect(await trials('init-activation.yaml')).toBe(12);
    expect(await trials('overfitting.yaml')).toBe(6);
    expect(await trials('best5-narrowed.yaml')).toBe(100);
  });
});
