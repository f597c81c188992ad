import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpaceFile, parseSpace, validateSpaceDocument } from '../../../src/space/load.js';
import type { TaskSpec } from '../../../src/task/types.js';
import { issueAt, issuesOf } from '../../space/helpers.js';
import { DATA_DIR, SPACES_DIR, spaceOf, taskDoc, taskOf } from './helpers.js';

const DEFAULT_TASK: TaskSpec = {
  dataset: { source: { type: 'builtin', name: 'mnist' }, validationSplit: 0.2, useTestSet: false, scale: true, shuffle: true },
  model: {
    type: 'mlp',
    hidden: [100, 100, 100, 100, 100, 100],
    activation: 'relu',
    initializer: 'he_normal',
    initStd: 0.01,
    batchNorm: false,
    dropout: 0,
  },
  train: {
    optimizer: 'sgd',
    learningRate: 0.01,
    momentum: 0.9,
    beta1: 0.9,
    beta2: 0.999,
    rho: 0.9,
    epsilon: 1e-7,
    batchSize: 100,
    epochs: 10,
    weightDecay: 0,
    schedule: { type: 'constant' },
    clipValue: null,
    clipNorm: null,
    maxNorm: null,
  },
};

const task = (t: Record<string, unknown>) => issuesOf(taskDoc(t));

describe('valid tasks', () => {
  it('fills every default of a built-in dataset task, and val_accuracy as the metric', () => {
    const space = spaceOf(taskDoc());
    expect(space.objective).toEqual({ metric: 'val_accuracy', direction: 'maximize', task: DEFAULT_TASK });
  });

  it('takes a dataset name as shorthand', () => {
    expect(taskOf(taskDoc({ dataset: 'fashion-mnist' })).dataset.source).toEqual({ type: 'builtin', name: 'fashion-mnist' });
  });

  it('normalises every key of the document format', () => {
    const text = `study: full
objective:
  metric: train_loss
  direction: minimize
  task:
    dataset:
      name: mnist
      train_samples: 500
      validation_samples: 100
      use_test_set: false
      scale: false
      shuffle: false
    model:
      type: mlp
      hidden: 100x3
      activation: leaky_relu
      initializer: random_normal
      init_std: 0.05
      batch_norm: true
      dropout: 0.25
    train:
      optimizer: adam
      learning_rate: 0.001
      momentum: 0.5
      beta1: 0.8
      beta2: 0.99
      rho: 0.95
      epsilon: 1.0e-8
      batch_size: 32
      epochs: 50
      weight_decay: 1.0e-4
      schedule: { type: exponential, rate: 0.96 }
      clip_value: 1
      clip_norm: 5
      max_norm: 3
search: { strategy: random, trials: 1 }
params:
  # Some trial reads each optimizer setting above (one that none reads is refused).
  optimizer: { type: categorical, choices: [adam, momentum, rmsprop] }
`;
    const space = spaceOf(text);
    expect(space.objective.metric).toBe('train_loss');
    expect(space.objective.task).toEqual({
      dataset: { source: { type: 'builtin', name: 'mnist' }, trainSamples: 500, validationSamples: 100, useTestSet: false, scale: false, shuffle: false },
      model: { type: 'mlp', hidden: [100, 100, 100], activation: 'leaky_relu', initializer: 'random_normal', initStd: 0.05, batchNorm: true, dropout: 0.25 },
      train: {
        optimizer: 'adam',
        learningRate: 0.001,
        momentum: 0.5,
        beta1: 0.8,
        beta2: 0.99,
        rho: 0.95,
        epsilon: 1e-8,
        batchSize: 32,
        epochs: 50,
        weightDecay: 1e-4,
        schedule: { type: 'exponential', rate: 0.96, every: 1 },
        clipValue: 1,
        clipNorm: 5,
        maxNorm: 3,
      },
    } satisfies TaskSpec);
  });

  it('resolves IDX files against the space file folder', () => {
    const idx = taskOf(taskDoc({ dataset: { type: 'idx', images: 'data/tiny-images.idx', labels: './data/tiny-labels.idx' } }));
    expect(idx.dataset).toEqual({
      ...DEFAULT_TASK.dataset,
      source: { type: 'idx', images: path.join(DATA_DIR, 'tiny-images.idx'), labels: path.join(DATA_DIR, 'tiny-labels.idx') },
    });
  });

  it('reads a CSV dataset, the label column defaulting to "label"', () => {
    const csv = taskOf(taskDoc({ dataset: { type: 'csv', path: 'data/tiny.csv' } }));
    expect(csv.dataset.source).toEqual({ type: 'csv', path: path.join(DATA_DIR, 'tiny.csv'), labelColumn: 'label' });
    const named = taskOf(taskDoc({ dataset: { type: 'csv', path: 'data/tiny.csv', label_column: 'species' } }));
    expect(named.dataset.source).toEqual({ type: 'csv', path: path.join(DATA_DIR, 'tiny.csv'), labelColumn: 'species' });
  });

  it('reads a test entry of IDX and CSV datasets, its paths resolved like the others', () => {
    const idx = taskOf(taskDoc({ dataset: { type: 'idx', images: 'data/tiny-images.idx', labels: 'data/tiny-labels.idx', test: { images: 'data/tiny-images.idx', labels: './data/tiny-labels.idx' } } }));
    expect(idx.dataset.source).toEqual({
      type: 'idx',
      images: path.join(DATA_DIR, 'tiny-images.idx'),
      labels: path.join(DATA_DIR, 'tiny-labels.idx'),
      test: { images: path.join(DATA_DIR, 'tiny-images.idx'), labels: path.join(DATA_DIR, 'tiny-labels.idx') },
    });
    const csv = taskOf(taskDoc({ dataset: { type: 'csv', path: 'data/tiny.csv', test: { path: 'data/tiny.csv' } } }));
    expect(csv.dataset.source).toEqual({ type: 'csv', path: path.join(DATA_DIR, 'tiny.csv'), labelColumn: 'label', test: { path: path.join(DATA_DIR, 'tiny.csv') } });
  });

  it('checks the files and keys of a test entry', () => {
    const missing = task({ dataset: { type: 'idx', images: 'data/tiny-images.idx', labels: 'data/tiny-labels.idx', test: { images: 'data/gone.idx', labels: 'data' } } });
    expect(issueAt(missing, 'objective.task.dataset.test.images').message).toBe(
      `file not found: ${path.join(DATA_DIR, 'gone.idx')} (data paths are relative to the search-space file's folder)`,
    );
    expect(issueAt(missing, 'objective.task.dataset.test.labels').message).toMatch(/^path is a directory, not a file/);
    const incomplete = task({ dataset: { type: 'idx', images: 'data/tiny-images.idx', labels: 'data/tiny-labels.idx', test: { images: 'data/tiny-images.idx' } } });
    expect(issueAt(incomplete, 'objective.task.dataset.test.labels').message).toMatch(/required|expected string/i);
    const csv = task({ dataset: { type: 'csv', path: 'data/tiny.csv', test: { path: 'data/nope.csv' } } });
    expect(issueAt(csv, 'objective.task.dataset.test.path').message).toMatch(/^file not found: .*nope\.csv/);
    const builtin = task({ dataset: { name: 'mnist', test: { path: 'data/tiny.csv' } } });
    expect(issueAt(builtin, 'objective.task.dataset.test').message).toMatch(/"test" is only used by type: idx or csv datasets/);
  });

  it('validates on the test set without a split unless validation_samples limits it', () => {
    expect(taskOf(taskDoc({ dataset: { name: 'mnist', use_test_set: true } })).dataset).toEqual({
      source: { type: 'builtin', name: 'mnist' },
      useTestSet: true,
      scale: true,
      shuffle: true,
    });
    const limited = taskOf(taskDoc({ dataset: { name: 'mnist', use_test_set: true, validation_samples: 1000 } })).dataset;
    expect(limited.validationSamples).toBe(1000);
    expect(limited.validationSplit).toBeUndefined();
  });

  it('fills the seeds\' CNN for type: cnn', () => {
    expect(taskOf(taskDoc({ dataset: 'mnist', model: { type: 'cnn', dropout: 0.3 } })).model).toEqual({
      type: 'cnn',
      filters: [32, 64],
      kernel: 3,
      dense: 512,
      dropout: 0.3,
      activation: 'relu',
      initializer: 'he_normal',
      initStd: 0.01,
    });
  });

  it('reads hidden as a list, "WxN" or "a-b-c"', () => {
    const hidden = (value: unknown) => {
      const model = taskOf(taskDoc({ dataset: 'mnist', model: { hidden: value } })).model;
      return model.type === 'mlp' ? model.hidden : undefined;
    };
    expect(hidden([50, 20])).toEqual([50, 20]);
    expect(hidden('100x6')).toEqual([100, 100, 100, 100, 100, 100]);
    expect(hidden('100 × 2')).toEqual([100, 100]);
    expect(hidden('512-256-128')).toEqual([512, 256, 128]);
    expect(hidden('64')).toEqual([64]);
  });

  it('fills a schedule\'s every', () => {
    const train = taskOf(taskDoc({ dataset: 'mnist', train: { schedule: { type: 'power', power: 0.5 } } })).train;
    expect(train.schedule).toEqual({ type: 'power', power: 0.5, every: 1 });
  });

  it('loads the task fixtures', async () => {
    const idx = await loadSpaceFile(path.join(SPACES_DIR, 'task-idx.yaml'));
    expect(idx.space.objective).toEqual({
      metric: 'val_accuracy',
      direction: 'maximize',
      task: {
        ...DEFAULT_TASK,
        dataset: {
          ...DEFAULT_TASK.dataset,
          source: { type: 'idx', images: path.join(DATA_DIR, 'tiny-images.idx'), labels: path.join(DATA_DIR, 'tiny-labels.idx') },
        },
      },
    });
    const csv = await loadSpaceFile(path.join(SPACES_DIR, 'task-csv.yaml'));
    expect(csv.space.objective.task).toEqual({
      dataset: { source: { type: 'csv', path: path.join(DATA_DIR, 'tiny.csv'), labelColumn: 'species' }, validationSamples: 1, useTestSet: false, scale: false, shuffle: true },
      model: { ...DEFAULT_TASK.model, hidden: [16, 8], activation: 'tanh', initializer: 'glorot_uniform' },
      train: { ...DEFAULT_TASK.train, optimizer: 'momentum', momentum: 0.8, schedule: { type: 'step', factor: 0.5, every: 10 }, clipNorm: 5 },
    });
    expect(csv.space.search).toEqual({ strategy: 'grid', trials: 4 });
  });
});

describe('task errors', () => {
  it('suggests the closest key, with its line and column', () => {
    const text = `study: t
objective:
  direction: maximize
  task:
    dataset: mnist
    train:
      learnig_rate: 0.1
search: { strategy: random, trials: 1 }
params: {}
`;
    expect(issueAt(issuesOf(text), 'objective.task.train.learnig_rate')).toEqual({
      path: 'objective.task.train.learnig_rate',
      message: 'unknown key; did you mean "learning_rate"?',
      line: 7,
      column: 7,
    });
  });

  it('rejects unknown names with a suggestion and the choices', () => {
    const issues = task({ dataset: { name: 'mnsit' }, model: { activation: 'rleu', initializer: 'xavier' }, train: { optimizer: 'adamw' } });
    expect(issueAt(issues, 'objective.task.dataset.name').message).toBe(
      'unknown dataset "mnsit"; did you mean "mnist"? (expected one of mnist, fashion-mnist)',
    );
    expect(issueAt(issues, 'objective.task.model.activation').message).toBe(
      'unknown activation "rleu"; did you mean "relu"? (expected one of sigmoid, tanh, relu, leaky_relu, elu, selu)',
    );
    expect(issueAt(issues, 'objective.task.model.initializer').message).toBe(
      'unknown initializer "xavier" (expected one of random_normal, random_uniform, glorot_normal, glorot_uniform, he_normal, he_uniform)',
    );
    expect(issueAt(issues, 'objective.task.train.optimizer').message).toBe(
      'unknown optimizer "adamw"; did you mean "adam"? (expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam)',
    );
  });

  it('points an unknown dataset shorthand at the dataset', () => {
    expect(issueAt(task({ dataset: 'cifar10' }), 'objective.task.dataset').message).toBe(
      'unknown dataset "cifar10" (expected one of mnist, fashion-mnist)',
    );
  });

  it('requires a dataset', () => {
    expect(issueAt(task({ model: { type: 'mlp' } }), 'objective.task.dataset').message).toBe('required key is missing');
    expect(issueAt(task({ dataset: { scale: true } }), 'objective.task.dataset').message).toBe(
      'give name: mnist | fashion-mnist (a built-in dataset) or type: idx | csv with its files',
    );
    expect(issueAt(issuesOf({ ...taskDoc(), objective: { direction: 'maximize', task: 'mnist' } }), 'objective.task').message).toBe(
      'expected a mapping with dataset, model and train, got string "mnist"',
    );
  });

  it('rejects validation_split together with validation_samples', () => {
    const issues = task({ dataset: { name: 'mnist', validation_split: 0.1, validation_samples: 100 } });
    expect(issueAt(issues, 'objective.task.dataset.validation_samples').message).toBe('give validation_split or validation_samples, not both');
  });

  it('checks the validation settings against the rest of the dataset', () => {
    const split = task({ dataset: { name: 'mnist', use_test_set: true, validation_split: 0.1 } });
    expect(issueAt(split, 'objective.task.dataset.validation_split').message).toMatch(/^validation_split holds out part of the training set/);
    const tooMany = task({ dataset: { name: 'mnist', train_samples: 100, validation_samples: 100 } });
    expect(issueAt(tooMany, 'objective.task.dataset.validation_samples').message).toBe(
      'validation_samples (100) must be less than train_samples (100): the rest are the training examples',
    );
    expect(issueAt(task({ dataset: { name: 'mnist', validation_split: 1 } }), 'objective.task.dataset.validation_split').message).toBe(
      'must be < 1, got 1',
    );
  });

  it('keeps dropout below 1', () => {
    expect(issueAt(task({ dataset: 'mnist', model: { dropout: 1 } }), 'objective.task.model.dropout').message).toBe('must be < 1, got 1');
    expect(issueAt(task({ dataset: 'mnist', model: { type: 'cnn', dropout: 1.5 } }), 'objective.task.model.dropout').message).toBe('must be < 1, got 1.5');
  });

  it('names the resolved path of a missing data file', () => {
    const issues = task({ dataset: { type: 'idx', images: './data/missing.idx', labels: './data' } });
    expect(issueAt(issues, 'objective.task.dataset.images').message).toBe(
      `file not found: ${path.join(DATA_DIR, 'missing.idx')} (data paths are relative to the search-space file's folder)`,
    );
    expect(issueAt(issues, 'objective.task.dataset.labels').message).toBe(
      `path is a directory, not a file: ${DATA_DIR} (data paths are relative to the search-space file's folder)`,
    );
    const csv = task({ dataset: { type: 'csv', path: 'nope.csv' } });
    expect(issueAt(csv, 'objective.task.dataset.path').message).toMatch(/^file not found: .*nope\.csv/);
  });

  it('skips the data file check with checkFiles: false, still resolving the paths', () => {
    const doc = taskDoc({ dataset: { type: 'idx', images: './gone-images.idx', labels: './gone-labels.idx' } });
    expect(() => validateSpaceDocument(doc, 'doc', SPACES_DIR)).toThrow(/file not found/);
    const space = validateSpaceDocument(doc, 'doc', SPACES_DIR, { checkFiles: false });
    expect(space.objective.task?.dataset.source).toEqual({
      type: 'idx',
      images: path.join(SPACES_DIR, 'gone-images.idx'),
      labels: path.join(SPACES_DIR, 'gone-labels.idx'),
    });
  });

  it('explains keys of the other model type and of other dataset types', () => {
    const mlp = task({ dataset: 'mnist', model: { type: 'mlp', kernel: 3, filters: [8] } });
    expect(issueAt(mlp, 'objective.task.model.kernel').message).toBe(
      'unknown key; "kernel" is only used by cnn models; known keys here: type, hidden, activation, initializer, init_std, batch_norm, dropout',
    );
    expect(issueAt(mlp, 'objective.task.model.filters').message).toMatch(/^unknown key; "filters" is only used by cnn models/);
    const cnn = task({ dataset: 'mnist', model: { type: 'cnn', hidden: [10], batch_norm: true } });
    expect(issueAt(cnn, 'objective.task.model.hidden').message).toMatch(/^unknown key; "hidden" is only used by mlp models/);
    const builtin = task({ dataset: { name: 'mnist', images: 'x.idx' } });
    expect(issueAt(builtin, 'objective.task.dataset.images').message).toMatch(/^unknown key; "images" is only used by type: idx datasets/);
  });

  it('rejects unknown model, dataset and schedule types', () => {
    expect(issueAt(task({ dataset: 'mnist', model: { type: 'rnn' } }), 'objective.task.model.type').message).toBe(
      'unknown model type "rnn"; did you mean "cnn"? (expected one of mlp, cnn)',
    );
    expect(issueAt(task({ dataset: { type: 'jpg', path: 'x' } }), 'objective.task.dataset.type').message).toBe(
      'unknown dataset type "jpg" (expected one of builtin, idx, csv)',
    );
    const schedule = task({ dataset: 'mnist', train: { schedule: { rate: 0.9 } } });
    expect(issueAt(schedule, 'objective.task.train.schedule.type').message).toBe(
      'required key is missing (one of constant, exponential, step, power)',
    );
    const wrongKey = task({ dataset: 'mnist', train: { schedule: { type: 'exponential', factor: 0.9 } } });
    expect(issueAt(wrongKey, 'objective.task.train.schedule.factor').message).toMatch(/^unknown key; "factor" is only used by step schedules/);
    expect(issueAt(wrongKey, 'objective.task.train.schedule.rate').message).toBe('required key is missing');
  });

  it('rejects malformed hidden layers', () => {
    const expected = 'expected layer widths such as [100, 100], "100x6" (width × layers) or "512-256-128"';
    const hidden = (value: unknown) => issueAt(task({ dataset: 'mnist', model: { hidden: value } }), 'objective.task.model.hidden').message;
    expect(hidden('100*6')).toBe(`${expected}, got string "100*6"`);
    expect(hidden('0x6')).toBe(`${expected}, got string "0x6"`);
    expect(hidden('100x0')).toBe(`${expected}, got string "100x0"`);
    expect(hidden(100)).toBe(`${expected}, got number 100`);
    expect(hidden([])).toBe('must not be empty');
    expect(issueAt(task({ dataset: 'mnist', model: { hidden: [100, 0] } }), 'objective.task.model.hidden.1').message).toBe('must be >= 1, got 0');
  });

  it('checks numbers and types of training keys', () => {
    const issues = task({ dataset: 'mnist', train: { learning_rate: 0, batch_size: 2.5, epochs: '5', clip_norm: -1, weight_decay: -1 } });
    expect(issueAt(issues, 'objective.task.train.learning_rate').message).toBe('must be > 0, got 0');
    expect(issueAt(issues, 'objective.task.train.batch_size').message).toBe('expected an integer, got number 2.5');
    expect(issueAt(issues, 'objective.task.train.epochs').message).toBe('expected a number, got string "5" (remove the quotes)');
    expect(issueAt(issues, 'objective.task.train.clip_norm').message).toBe('must be > 0, got -1');
    expect(issueAt(issues, 'objective.task.train.weight_decay').message).toBe('must be >= 0, got -1');
  });

  it('only takes an epoch metric for a task', () => {
    const doc = taskDoc();
    doc.objective.metric = 'accuracy';
    expect(issueAt(issuesOf(doc), 'objective.metric').message).toBe(
      'a built-in task reports val_accuracy, val_loss, train_accuracy, train_loss; got "accuracy"',
    );
    doc.objective.metric = 'val_acuracy';
    expect(issueAt(issuesOf(doc), 'objective.metric').message).toMatch(/; did you mean "val_accuracy"\?$/);
    doc.objective.metric = 'val_loss';
    expect(spaceOf(doc).objective.metric).toBe('val_loss');
  });
});

describe('dataset scaling default', () => {
  it('scales images by default but leaves CSV features as they are', async () => {
    const text = (await readFile(path.join(SPACES_DIR, 'task-csv.yaml'), 'utf8')).replace(/^\s+scale: false\n/m, '');
    expect(text).not.toContain('scale:');
    const csv = parseSpace(text, path.join(SPACES_DIR, 'task-csv.yaml'), SPACES_DIR);
    expect(csv.space.objective.task?.dataset.scale).toBe(false);
    const idx = await loadSpaceFile(path.join(SPACES_DIR, 'task-idx.yaml'));
    expect(idx.space.objective.task?.dataset.scale).toBe(true);
  });
});
