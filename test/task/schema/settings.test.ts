import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../../src/errors.js';
import { TASK_SETTING_NAMES, taskForTrial } from '../../../src/task/settings.js';
import type { CnnSpec, MlpSpec, TaskSpec } from '../../../src/task/types.js';
import { issueAt, issuesOf } from '../../space/helpers.js';
import { spaceOf, taskDoc, taskOf } from './helpers.js';

const MLP = taskOf(taskDoc({ dataset: { name: 'mnist', train_samples: 500 } }));
const CNN = taskOf(taskDoc({ dataset: 'mnist', model: { type: 'cnn' } }));
const hidden = (task: TaskSpec) => (task.model as MlpSpec).hidden;

/** The issues of a task space with these params (learning_rate stays unless replaced). */
const paramIssues = (params: Record<string, unknown>, model: Record<string, unknown> = { type: 'mlp' }) =>
  issuesOf(taskDoc({ dataset: 'mnist', model }, params));

describe('TASK_SETTING_NAMES', () => {
  it('lists every scalar model and train setting, hidden and layers', () => {
    expect([...TASK_SETTING_NAMES].sort()).toEqual(
      [
        'learning_rate', 'weight_decay', 'optimizer', 'momentum', 'beta1', 'beta2', 'rho', 'epsilon', 'batch_size', 'epochs',
        'clip_value', 'clip_norm', 'max_norm', 'activation', 'initializer', 'init_std', 'batch_norm', 'dropout',
        'hidden', 'layers', 'kernel', 'dense',
      ].sort(),
    );
  });
});

describe('taskForTrial', () => {
  it('overrides train and model settings of the same name', () => {
    const merged = taskForTrial(MLP, {
      learning_rate: 0.003,
      weight_decay: 1e-6,
      optimizer: 'adam',
      batch_size: 32,
      epochs: 3,
      clip_value: null,
      max_norm: 2,
      activation: 'tanh',
      initializer: 'glorot_normal',
      init_std: 0.1,
      batch_norm: true,
      dropout: 0.2,
    });
    expect(merged.train).toEqual({
      ...MLP.train,
      learningRate: 0.003,
      weightDecay: 1e-6,
      optimizer: 'adam',
      batchSize: 32,
      epochs: 3,
      clipValue: null,
      maxNorm: 2,
    });
    expect(merged.model).toEqual({ ...MLP.model, activation: 'tanh', initializer: 'glorot_normal', initStd: 0.1, batchNorm: true, dropout: 0.2 });
    expect(merged.dataset).toEqual(MLP.dataset);
  });

  it('reads hidden as a width for every layer or as a layer string', () => {
    expect(hidden(taskForTrial(MLP, { hidden: 50 }))).toEqual([50, 50, 50, 50, 50, 50]);
    expect(hidden(taskForTrial(MLP, { hidden: '100x6' }))).toEqual([100, 100, 100, 100, 100, 100]);
    expect(hidden(taskForTrial(MLP, { hidden: '512-256' }))).toEqual([512, 256]);
  });

  it('sets the depth with layers, keeping the first width, after hidden whatever the order', () => {
    const narrow = taskForTrial(MLP, { hidden: '30-20-10' });
    expect(hidden(taskForTrial(narrow, { layers: 2 }))).toEqual([30, 30]);
    expect(hidden(taskForTrial(MLP, { layers: 3, hidden: 64 }))).toEqual([64, 64, 64]);
    expect(hidden(taskForTrial(MLP, { layers: 2, hidden: '30-20-10' }))).toEqual([30, 30]);
    expect(hidden(taskForTrial(MLP, { hidden: 64, layers: 8 }))).toEqual(Array(8).fill(64));
  });

  it('overrides the kernel and dense units of a cnn', () => {
    expect(taskForTrial(CNN, { kernel: 5, dense: 128, dropout: 0.25 }).model).toEqual({ ...(CNN.model as CnnSpec), kernel: 5, dense: 128, dropout: 0.25 });
  });

  it('returns a new task and leaves its input untouched', () => {
    const before = structuredClone(MLP);
    const merged = taskForTrial(MLP, { hidden: 10, learning_rate: 0.5, layers: 2 });
    expect(MLP).toEqual(before);
    expect(merged).not.toBe(MLP);
    hidden(merged).push(1);
    merged.train.schedule = { type: 'step', factor: 0.5, every: 1 };
    expect(MLP).toEqual(before);
    expect(taskForTrial(MLP, {})).toEqual(MLP);
  });

  it('refuses params a task does not have or cannot take', () => {
    const attempt = (params: Record<string, string | number>, task = MLP) => {
      try {
        taskForTrial(task, params);
      } catch (error) {
        expect(error).toBeInstanceOf(HpsearchError);
        return (error as Error).message;
      }
      throw new Error('expected taskForTrial to throw');
    };
    expect(attempt({ lr: 0.1 })).toMatch(/^param lr: not a setting of the built-in task \(settings: learning_rate, /);
    expect(attempt({ kernel: 3 })).toBe("param kernel: kernel is a setting of cnn models, but this task's model is mlp");
    expect(attempt({ hidden: 10 }, CNN)).toBe("param hidden: hidden is a setting of mlp models, but this task's model is cnn");
    expect(attempt({ optimizer: 'adamw' })).toMatch(/^param optimizer: unknown optimizer "adamw"/);
    expect(attempt({ hidden: 'wide' })).toMatch(/^param hidden: hidden: expected layer widths/);
    expect(attempt({ dropout: 1 })).toBe('param dropout: dropout must be < 1, got 1');
  });
});

describe('params of a task space', () => {
  it('accepts params that override settings, with hidden and layers as ints or strings', () => {
    const space = spaceOf(
      taskDoc({ dataset: 'mnist' }, {
        optimizer: { type: 'categorical', choices: ['sgd', 'adam'] },
        weight_decay: { type: 'float', low: 0, high: 0.1 },
        hidden: { type: 'categorical', choices: [50, '100x6', '512-256'] },
        layers: { type: 'int', low: 1, high: 8 },
        batch_size: 100,
        batch_norm: { type: 'categorical', choices: [false, true] },
        clip_norm: { type: 'fixed', value: null },
      }),
    );
    expect(Object.keys(space.params)).toHaveLength(8);
  });

  it('rejects a param that is not a setting, suggesting one and listing them', () => {
    const issues = paramIssues({ learnig_rate: 0.1, lr: 0.1, foo: 1 });
    expect(issueAt(issues, 'params.learnig_rate').message).toMatch(/^not a setting of the built-in task; did you mean "learning_rate"\? \(settings: learning_rate, weight_decay, /);
    expect(issueAt(issues, 'params.lr').message).toMatch(/^not a setting of the built-in task; did you mean "learning_rate"\?/);
    const foo = issueAt(issues, 'params.foo').message;
    expect(foo).toMatch(/^not a setting of the built-in task \(settings: /);
    // Only the settings of this task's model.
    expect(foo).toContain('batch_norm, dropout, hidden, layers)');
    expect(foo).not.toContain('kernel');
    // Names of Object.prototype are no aliases (this once suggested "function Object() { [native code] }").
    expect(issueAt(paramIssues({ constructor: 1 }), 'params.constructor').message).toMatch(/^not a setting of the built-in task \(settings: /);
  });

  it('checks each categorical choice and fixed value', () => {
    const issues = paramIssues({
      optimizer: { type: 'categorical', choices: ['sgd', 'adam', 'adamw'] },
      activation: 'rleu',
      initializer: { type: 'fixed', value: 'xavier' },
      epochs: 2.5,
      batch_norm: { type: 'categorical', choices: [true, 'no'] },
    });
    expect(issueAt(issues, 'params.optimizer.choices.2')).toMatchObject({
      message: 'unknown optimizer "adamw"; did you mean "adam"? (expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam)',
      line: expect.any(Number),
    });
    expect(issueAt(issues, 'params.activation').message).toMatch(/^unknown activation "rleu"; did you mean "relu"\?/);
    expect(issueAt(issues, 'params.initializer.value').message).toMatch(/^unknown initializer "xavier"/);
    expect(issueAt(issues, 'params.epochs').message).toBe('epochs: expected an integer, got number 2.5');
    expect(issueAt(issues, 'params.batch_norm.choices.1').message).toBe('batch_norm: expected true or false, got string "no"');
    expect(issues).toHaveLength(5);
  });

  it('checks numeric ranges at both ends and grid values one by one', () => {
    const issues = paramIssues({
      learning_rate: { type: 'float', low: 0, high: 0.1 },
      dropout: { type: 'float', low: 0, high: 1 },
      momentum: { type: 'float', values: [0.5, 0.9, 1.2], low: 0, high: 0.99 },
      batch_size: { type: 'int', low: 0, high: 256 },
      optimizer: 'momentum',
    });
    expect(issueAt(issues, 'params.learning_rate.low').message).toBe('learning_rate must be > 0, got 0');
    expect(issueAt(issues, 'params.dropout.high').message).toBe('dropout must be < 1, got 1');
    expect(issueAt(issues, 'params.momentum.values.2').message).toBe('momentum must be < 1, got 1.2');
    expect(issueAt(issues, 'params.batch_size.low').message).toBe('batch_size must be >= 1, got 0');
    expect(issues).toHaveLength(4);
  });

  it('needs int params for whole-number settings and categorical ones for names', () => {
    const issues = paramIssues({
      batch_size: { type: 'float', low: 16, high: 256 },
      epochs: { type: 'float', low: 1, high: 5 },
      optimizer: { type: 'int', low: 0, high: 3 },
      batch_norm: { type: 'int', low: 0, high: 1 },
    });
    expect(issueAt(issues, 'params.batch_size.type').message).toBe('batch_size takes whole numbers; use type: int');
    expect(issueAt(issues, 'params.epochs.type').message).toBe('epochs takes whole numbers; use type: int');
    expect(issueAt(issues, 'params.optimizer.type').message).toBe('optimizer is a name, not a number; use type: categorical with choices, or a fixed value');
    expect(issueAt(issues, 'params.batch_norm.type').message).toMatch(/^batch_norm is true or false; use type: categorical/);
  });

  it('parses hidden and checks layers', () => {
    const issues = paramIssues({
      hidden: { type: 'categorical', choices: [100, '100x6', '100 by 6', 0] },
      layers: { type: 'int', low: 0, high: 4 },
    });
    expect(issueAt(issues, 'params.hidden.choices.2').message).toBe(
      'hidden: expected layer widths such as [100, 100], "100x6" (width × layers) or "512-256-128", got string "100 by 6"',
    );
    expect(issueAt(issues, 'params.hidden.choices.3').message).toBe('hidden must be >= 1, got 0');
    expect(issueAt(issues, 'params.layers.low').message).toBe('layers must be >= 1, got 0');
    expect(issues).toHaveLength(3);
  });

  it('rejects settings the task\'s model does not have', () => {
    const mlp = paramIssues({ kernel: 3, dense: { type: 'int', low: 64, high: 512 } });
    expect(issueAt(mlp, 'params.kernel').message).toBe("kernel is a setting of cnn models, but this task's model is mlp");
    expect(issueAt(mlp, 'params.dense').message).toBe("dense is a setting of cnn models, but this task's model is mlp");
    const cnn = paramIssues({ hidden: 100, layers: 3, batch_norm: true }, { type: 'cnn' });
    expect(issueAt(cnn, 'params.hidden').message).toBe("hidden is a setting of mlp models, but this task's model is cnn");
    expect(issueAt(cnn, 'params.layers').message).toBe("layers is a setting of mlp models, but this task's model is cnn");
    expect(issueAt(cnn, 'params.batch_norm').message).toBe("batch_norm is a setting of mlp models, but this task's model is cnn");
    expect(() => spaceOf(taskDoc({ dataset: 'mnist', model: { type: 'cnn' } }, { kernel: { type: 'int', low: 3, high: 5, step: 2 } }))).not.toThrow();
  });

  it('still checks param names when the task itself has an error', () => {
    const issues = issuesOf(taskDoc({ dataset: 'mnsit' }, { lr: 0.1 }));
    expect(issues.map((issue) => issue.path)).toEqual(['objective.task.dataset', 'params.lr']);
  });

  it('leaves params alone for a module objective', () => {
    const doc = taskDoc();
    doc.objective = { module: '../objectives/noop.mjs', direction: 'maximize' };
    doc.params.lr = 0.1;
    expect(spaceOf(doc).params.lr).toEqual({ type: 'fixed', value: 0.1 });
  });
});
