import { describe, expect, it } from 'vitest';
import { validateSpaceDocument } from '../../../src/space/load.js';
import { OPTIMIZER_SETTINGS } from '../../../src/task/fields.js';
import { issueAt, issuesOf } from '../../space/helpers.js';
import { SPACES_DIR, spaceOf, taskDoc } from './helpers.js';

/** A task space on mnist with this `train:` and these params (learning_rate stays unless replaced). */
const doc = (train: Record<string, unknown> | undefined, params: Record<string, unknown>) =>
  taskDoc({ dataset: 'mnist', ...(train === undefined ? {} : { train }) }, params);
const accepted = (train: Record<string, unknown> | undefined, params: Record<string, unknown>) => expect(() => spaceOf(doc(train, params))).not.toThrow();

const range = (low: number, high: number, more: Record<string, unknown> = {}) => ({ type: 'float', low, high, ...more });
const choices = (...values: string[]) => ({ type: 'categorical', choices: values });
const MOMENTUM_ONLY = 'momentum is used by the momentum and nesterov optimizers only';

describe('OPTIMIZER_SETTINGS', () => {
  it('names the optimizers whose update reads each setting (train/optimizers.ts), epsilon for all three that divide by it', () => {
    expect(OPTIMIZER_SETTINGS).toEqual({
      momentum: ['momentum', 'nesterov'],
      beta1: ['adam'],
      beta2: ['adam'],
      rho: ['rmsprop'],
      epsilon: ['adagrad', 'rmsprop', 'adam'],
    });
  });
});

describe('an optimizer setting as a param, with one train optimizer', () => {
  it('refuses momentum when train.optimizer is adam, or the default sgd, saying what to change', () => {
    const adam = issuesOf(doc({ optimizer: 'adam' }, { momentum: range(0.5, 0.99) }));
    expect(adam).toHaveLength(1);
    expect(issueAt(adam, 'params.momentum')).toMatchObject({
      message: `${MOMENTUM_ONLY}, but every trial trains with adam (train.optimizer); set train.optimizer to momentum or nesterov, or remove the param`,
      line: expect.any(Number),
    });
    const sgd = issuesOf(doc(undefined, { momentum: 0.9 }));
    expect(issueAt(sgd, 'params.momentum').message).toBe(
      `${MOMENTUM_ONLY}, but every trial trains with sgd (the default of train.optimizer); set train.optimizer to momentum or nesterov, or remove the param`,
    );
  });

  it('accepts each setting under an optimizer that reads it', () => {
    accepted({ optimizer: 'nesterov' }, { momentum: range(0.5, 0.99) });
    accepted({ optimizer: 'rmsprop' }, { rho: range(0.8, 0.99), epsilon: range(1e-8, 1e-6) });
    accepted({ optimizer: 'adam' }, { beta1: range(0.5, 0.9), beta2: range(0.99, 0.9999), epsilon: 1e-8 });
    accepted({ optimizer: 'adagrad' }, { epsilon: 1e-8 });
  });

  it('refuses rho, beta1, beta2 and epsilon under optimizers that ignore them', () => {
    const issues = issuesOf(doc({ optimizer: 'momentum' }, { rho: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }));
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['params.rho', 'rho is used by the rmsprop optimizer only, but every trial trains with momentum (train.optimizer); set train.optimizer to rmsprop, or remove the param'],
      ['params.beta1', 'beta1 is used by the adam optimizer only, but every trial trains with momentum (train.optimizer); set train.optimizer to adam, or remove the param'],
      ['params.beta2', 'beta2 is used by the adam optimizer only, but every trial trains with momentum (train.optimizer); set train.optimizer to adam, or remove the param'],
      [
        'params.epsilon',
        'epsilon is used by the adagrad, rmsprop and adam optimizers only, but every trial trains with momentum (train.optimizer); set train.optimizer to adagrad, rmsprop or adam, or remove the param',
      ],
    ]);
  });
});

describe('an optimizer setting as a param, with optimizer a param too', () => {
  it('refuses momentum without when:, suggesting the condition on the choices that read it', () => {
    const issues = issuesOf(doc(undefined, { optimizer: choices('sgd', 'momentum', 'nesterov', 'adam'), momentum: range(0.5, 0.99) }));
    expect(issues).toHaveLength(1);
    expect(issueAt(issues, 'params.momentum').message).toBe(
      `${MOMENTUM_ONLY}, but trials with optimizer sgd or adam would get it; add when: { optimizer: [momentum, nesterov] }`,
    );
  });

  it('accepts it with the right when:, and with a when: that names fewer of them', () => {
    accepted(undefined, { optimizer: choices('sgd', 'momentum', 'nesterov', 'adam'), momentum: range(0.5, 0.99, { when: { optimizer: ['momentum', 'nesterov'] } }) });
    accepted(undefined, { optimizer: choices('sgd', 'momentum', 'nesterov', 'adam'), momentum: range(0.5, 0.99, { when: { optimizer: 'nesterov' } }) });
    // Whatever train.optimizer says: the optimizer param is set in every trial that has momentum.
    accepted({ optimizer: 'adam' }, { optimizer: choices('sgd', 'momentum'), momentum: range(0.5, 0.99, { when: { optimizer: ['momentum'] } }) });
  });

  it('accepts it when every choice reads it, and refuses a fixed optimizer param that does not', () => {
    accepted(undefined, { optimizer: choices('momentum', 'nesterov'), momentum: range(0.5, 0.99) });
    accepted(undefined, { optimizer: 'adam', beta1: 0.5 });
    const issues = issuesOf(doc(undefined, { optimizer: 'adam', rho: 0.95 }));
    expect(issueAt(issues, 'params.rho').message).toBe(
      'rho is used by the rmsprop optimizer only, but trials with optimizer adam would get it; the optimizer param never takes rmsprop: add one to its choices, or remove this param',
    );
  });

  it('points at a condition that lets other optimizers through, saying how to narrow it', () => {
    const issues = issuesOf(doc(undefined, {
      optimizer: choices('sgd', 'rmsprop', 'adam'),
      epsilon: range(1e-8, 1e-6, { log: true, when: { optimizer: ['sgd', 'adam'] } }),
      beta2: range(0.99, 0.9999, { when: { optimizer: ['rmsprop', 'adam'] } }),
    }));
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['params.epsilon.when.optimizer', 'epsilon is used by the adagrad, rmsprop and adam optimizers only, but trials with optimizer sgd would get it; take sgd out of this condition'],
      ['params.beta2.when.optimizer', 'beta2 is used by the adam optimizer only, but trials with optimizer rmsprop would get it; take rmsprop out of this condition'],
    ]);
    const wrong = issuesOf(doc(undefined, { optimizer: choices('sgd', 'momentum', 'adam'), momentum: range(0.5, 0.99, { when: { optimizer: ['sgd', 'adam'] } }) }));
    expect(issueAt(wrong, 'params.momentum.when.optimizer').message).toBe(
      `${MOMENTUM_ONLY}, but trials with optimizer sgd or adam would get it; change this condition to [momentum]`,
    );
  });

  it('follows the conditions of the param\'s parents: beta2 under a beta1 that exists only for adam', () => {
    accepted(undefined, {
      optimizer: choices('sgd', 'adam'),
      beta1: range(0.5, 0.9, { when: { optimizer: 'adam' } }),
      beta2: range(0.99, 0.9999, { when: { beta1: { min: 0.8 } } }),
    });
    const issues = issuesOf(doc(undefined, {
      optimizer: choices('sgd', 'momentum', 'adam'),
      momentum: range(0.5, 0.99, { when: { optimizer: ['momentum', 'adam'] } }),
      beta2: range(0.99, 0.9999, { when: { momentum: { min: 0.8 } } }),
    }));
    expect(issueAt(issues, 'params.momentum.when.optimizer').message).toBe(`${MOMENTUM_ONLY}, but trials with optimizer adam would get it; take adam out of this condition`);
    // beta2 exists only with momentum or adam: the momentum trials would get it.
    expect(issueAt(issues, 'params.beta2').message).toBe('beta2 is used by the adam optimizer only, but trials with optimizer momentum would get it; add when: { optimizer: [adam] }');
  });

  it('counts train.optimizer in the trials where a conditional optimizer param is inactive', () => {
    const optimizer = { ...choices('momentum', 'nesterov'), when: { layers: { min: 3 } } };
    const layers = { type: 'int', low: 1, high: 6 };
    const issues = issuesOf(doc(undefined, { layers, optimizer, momentum: range(0.5, 0.99) }));
    expect(issueAt(issues, 'params.momentum').message).toBe(
      `${MOMENTUM_ONLY}, but trials where the optimizer param is inactive (they train with sgd, the default of train.optimizer) would get it; add when: { optimizer: [momentum, nesterov] }`,
    );
    // Under the same condition as the optimizer param, momentum never meets train.optimizer.
    accepted(undefined, { layers, optimizer, momentum: range(0.5, 0.99, { when: { layers: { min: 3 } } }) });
    accepted(undefined, { layers, optimizer, momentum: range(0.5, 0.99, { when: { optimizer: ['momentum'] } }) });
    accepted({ optimizer: 'momentum' }, { layers, optimizer, momentum: range(0.5, 0.99) });
    // A weaker condition than the optimizer param's leaves trials with train.optimizer.
    const weaker = issuesOf(doc(undefined, { layers, optimizer, momentum: range(0.5, 0.99, { when: { layers: { min: 2 } } }) }));
    expect(issueAt(weaker, 'params.momentum').message).toMatch(/^momentum is used by .* but trials where the optimizer param is inactive/);
  });

  it('says both kinds of trial when both would get it', () => {
    const issues = issuesOf(doc(undefined, {
      layers: { type: 'int', low: 1, high: 6 },
      optimizer: { ...choices('momentum', 'adam'), when: { layers: { min: 3 } } },
      momentum: 0.95,
    }));
    expect(issueAt(issues, 'params.momentum').message).toBe(
      `${MOMENTUM_ONLY}, but trials with optimizer adam and trials where the optimizer param is inactive (they train with sgd, the default of train.optimizer) would get it; add when: { optimizer: [momentum] }`,
    );
  });
});

describe('an optimizer setting written in train:', () => {
  it('refuses one that no trial\'s optimizer reads, at its key', () => {
    const issues = issuesOf(doc({ optimizer: 'adam', momentum: 0.5, rho: 0.95, epsilon: 1e-8 }, {}));
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['objective.task.train.momentum', `${MOMENTUM_ONLY}, but every trial trains with adam (train.optimizer); remove it, or set train.optimizer to momentum or nesterov`],
      ['objective.task.train.rho', 'rho is used by the rmsprop optimizer only, but every trial trains with adam (train.optimizer); remove it, or set train.optimizer to rmsprop'],
    ]);
    const byDefault = issuesOf(doc({ beta1: 0.8 }, {}));
    expect(issueAt(byDefault, 'objective.task.train.beta1').message).toBe(
      'beta1 is used by the adam optimizer only, but every trial trains with sgd (the default of train.optimizer); remove it, or set train.optimizer to adam',
    );
    const searched = issuesOf(doc({ momentum: 0.5 }, { optimizer: choices('sgd', 'adam') }));
    expect(issueAt(searched, 'objective.task.train.momentum').message).toBe(
      `${MOMENTUM_ONLY}, but trials train with sgd or adam only; remove it, or add momentum or nesterov to the optimizer param's choices`,
    );
  });

  it('accepts one that some trial reads: the value of the trials that do not search it', () => {
    accepted({ optimizer: 'momentum', momentum: 0.8 }, {});
    accepted({ momentum: 0.8, beta1: 0.8 }, { optimizer: choices('sgd', 'momentum', 'adam') });
    // train.optimizer counts where the optimizer param is inactive.
    accepted({ optimizer: 'rmsprop', rho: 0.95 }, { layers: { type: 'int', low: 1, high: 4 }, optimizer: { ...choices('sgd'), when: { layers: 4 } } });
  });

  it('leaves a train key that a param overrides to the param\'s check', () => {
    const issues = issuesOf(doc({ optimizer: 'adam', momentum: 0.5 }, { momentum: 0.9 }));
    expect(issues.map((issue) => issue.path)).toEqual(['params.momentum']);
  });
});

describe('what the optimizer check leaves to others', () => {
  it('adds nothing to a wrong train.optimizer, a numeric optimizer param or an unknown choice', () => {
    expect(issuesOf(doc({ optimizer: 'adamw', momentum: 0.5 }, { rho: 0.9 })).map((issue) => issue.path)).toEqual(['objective.task.train.optimizer']);
    expect(issuesOf(doc(undefined, { optimizer: { type: 'int', low: 0, high: 3 }, momentum: 0.9 })).map((issue) => issue.path)).toEqual(['params.optimizer.type']);
    const unknown = issuesOf(doc(undefined, { optimizer: choices('momentum', 'adamw'), momentum: 0.9 }));
    expect(unknown.map((issue) => issue.path)).toEqual(['params.optimizer.choices.1']);
  });

  it('lets a stored study\'s space pass, so studies stored before the check still open', () => {
    const old = { ...doc({ optimizer: 'adam', rho: 0.9 }, { optimizer: choices('sgd', 'adam'), momentum: range(0.5, 0.99) }), study: 'old' };
    expect(() => validateSpaceDocument(old, 'stored', SPACES_DIR)).toThrow(`${MOMENTUM_ONLY}, but trials with optimizer sgd or adam would get it`);
    expect(validateSpaceDocument(old, 'stored', SPACES_DIR, { stored: true }).params.momentum).toEqual({ type: 'float', low: 0.5, high: 0.99, log: false });
  });
});
