import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import { checkEnqueuedParams, enqueuedParams } from '../../src/space/enqueue.js';
import { parseSpace } from '../../src/space/load.js';
import type { ParamSpecs } from '../../src/space/types.js';
import type { RawIssue } from '../../src/space/raw-issue.js';
import { baseDoc, issueAt, issuesOf, SPACES_DIR } from './helpers.js';

/** The book's space, and one param of every kind. */
const SPECS: ParamSpecs = {
  learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
  dropout: { type: 'float', low: 0, high: 0.5, log: false, step: 0.1 },
  hidden: { type: 'int', low: 50, high: 200, log: false, step: 50 },
  layers: { type: 'int', low: 1, high: 8, log: false, step: 1 },
  optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam', 1, true] },
  activation: { type: 'fixed', value: 'relu' },
};

/** The one problem with these params, as study.enqueue and `hpsearch enqueue` report it. */
function problem(params: Record<string, unknown>): string {
  try {
    enqueuedParams(params, SPECS);
  } catch (error) {
    expect(error).toBeInstanceOf(HpsearchError);
    expect((error as HpsearchError).code).toBe('E_VALIDATION');
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(params)} to be refused`);
}

describe('enqueued params, checked against the space', () => {
  it('accepts values the space could draw, any subset of the params, in the order given', () => {
    expect(enqueuedParams({ weight_decay: 1e-6, learning_rate: 0.01 }, SPECS)).toEqual({ weight_decay: 1e-6, learning_rate: 0.01 });
    expect(Object.keys(enqueuedParams({ weight_decay: 1e-6, learning_rate: 0.01 }, SPECS))).toEqual(['weight_decay', 'learning_rate']);
    expect(enqueuedParams({ learning_rate: 1e-6 }, SPECS)).toEqual({ learning_rate: 1e-6 }); // the bounds are inside
    expect(enqueuedParams({}, SPECS)).toEqual({});
    expect(enqueuedParams({ dropout: 0.3, hidden: 150, layers: 8, optimizer: 'adam', activation: 'relu' }, SPECS)).toEqual({
      dropout: 0.3, hidden: 150, layers: 8, optimizer: 'adam', activation: 'relu',
    });
    // 0.1 · 3 is 0.30000000000000004 in floating point: still on the lattice.
    expect(enqueuedParams({ dropout: 0.1 * 3, optimizer: 1, hidden: 100.0 }, SPECS)).toMatchObject({ optimizer: 1, hidden: 100 });
    expect(enqueuedParams({ optimizer: true }, SPECS)).toEqual({ optimizer: true });
  });

  it('refuses a value outside the range, naming the param and the range', () => {
    expect(problem({ learning_rate: 0.5 })).toBe(
      'enqueued learning_rate 0.5 is outside [1e-6, 0.01]; give a value in that range, or widen params.learning_rate',
    );
    expect(problem({ weight_decay: 1e-9 })).toMatch(/^enqueued weight_decay 1e-9 is outside \[1e-8, 1e-4\]/);
    // Shown exactly: a value just past the bound must not read as the bound.
    expect(problem({ learning_rate: 0.010000001 })).toMatch(/^enqueued learning_rate 0\.010000001 is outside \[1e-6, 0\.01\]/);
    expect(problem({ hidden: 250 })).toMatch(/^enqueued hidden 250 is outside \[50, 200\]/);
    expect(problem({ layers: 0 })).toMatch(/^enqueued layers 0 is outside \[1, 8\]/);
  });

  it('refuses a value of the wrong type', () => {
    expect(problem({ learning_rate: '0.01' })).toBe('enqueued learning_rate must be a number, got string "0.01" (remove the quotes)');
    expect(problem({ hidden: true })).toBe('enqueued hidden must be a number, got boolean true');
    expect(problem({ learning_rate: null })).toBe('enqueued learning_rate must be a number, got null');
    expect(problem({ learning_rate: [0.01] })).toBe('enqueued learning_rate must be a single value, got a list');
    expect(problem({ optimizer: { name: 'adam' } })).toBe('enqueued optimizer must be a single value, got a mapping');
    expect(problem({ layers: 2.5 })).toBe('enqueued layers 2.5 is not an integer (layers is an int param)');
    expect(problem({ learning_rate: Infinity })).toBe('enqueued learning_rate must be a finite number, got inf');
  });

  it('refuses a value off the step lattice, with the nearest values on it', () => {
    expect(problem({ hidden: 75 })).toBe('enqueued hidden 75 is not on its step lattice (50 + k × 50); the nearest values are 50 and 100');
    expect(problem({ dropout: 0.25 })).toBe('enqueued dropout 0.25 is not on its step lattice (0 + k × 0.1); the nearest values are 0.2 and 0.3');
  });

  it('refuses a value that is not one of the choices, with a did-you-mean', () => {
    expect(problem({ optimizer: 'adamw' })).toBe('enqueued optimizer "adamw" is not one of the choices "sgd", "momentum", "adam", 1, true; did you mean "adam"?');
    // Compared as the loader compares choices: true and "true" differ.
    expect(problem({ optimizer: 'true' })).toMatch(/^enqueued optimizer "true" is not one of the choices/);
    expect(problem({ optimizer: 2 })).toMatch(/^enqueued optimizer 2 is not one of the choices "sgd", "momentum", "adam", 1, true$/);
  });

  it('refuses a fixed param given another value; the same value may be given', () => {
    expect(problem({ activation: 'tanh' })).toBe('enqueued activation "tanh" differs from its fixed value "relu"; leave it out (fixed params are filled in)');
    expect(enqueuedParams({ activation: 'relu' }, SPECS)).toEqual({ activation: 'relu' });
  });

  it('refuses a param the space does not have, with a did-you-mean, else naming the params', () => {
    expect(problem({ learning_rat: 0.01 })).toBe('enqueued param "learning_rat" is not in the space; did you mean "learning_rate"?');
    expect(problem({ momentum: 0.9 })).toBe(
      'enqueued param "momentum" is not in the space; its params are learning_rate, weight_decay, dropout, hidden, layers, optimizer, activation',
    );
    // Names of Object.prototype are no params either.
    expect(problem({ constructor: 1 })).toMatch(/^enqueued param "constructor" is not in the space/);
    expect(problem(JSON.parse('{"__proto__": 1}') as Record<string, unknown>)).toMatch(/^enqueued param "__proto__" is not in the space/);
  });

  it('lists every problem at once, each at its param; a caller names which params it gave', () => {
    const issues: RawIssue[] = [];
    expect(checkEnqueuedParams({ learning_rate: 1, lr: 2, hidden: 60 }, SPECS, ['search', 'enqueue', 3], issues)).toBeUndefined();
    expect(issues.map((issue) => [issue.path, issue.atKey ?? false])).toEqual([
      [['search', 'enqueue', 3, 'learning_rate'], false],
      [['search', 'enqueue', 3, 'lr'], true],
      [['search', 'enqueue', 3, 'hidden'], false],
    ]);
    expect(() => enqueuedParams({ learning_rate: 1, hidden: 60 }, SPECS, '--params 2')).toThrow(
      /^--params 2: 2 problems with the enqueued params:\n {2}- enqueued learning_rate 1 is outside .*\n {2}- enqueued hidden 60 is not on its step lattice/,
    );
    expect(() => enqueuedParams([0.01], SPECS)).toThrow('expected a mapping of param name to value, e.g. { learning_rate: 0.01 }, got a list');
  });
});

describe('search.enqueue in a space file', () => {
  const docWith = (search: Record<string, unknown>, params: Record<string, unknown> = baseDoc().params) => ({ ...baseDoc(), search, params });

  it('is allowed under every strategy, normalised to the space\'s enqueue list', () => {
    const enqueue = [{ lr: 0.01 }, { lr: 0.002 }];
    const grid = { lr: { type: 'float', values: [0.001, 0.01, 0.1] } };
    for (const search of [
      { strategy: 'random', trials: 10, enqueue },
      { strategy: 'grid', enqueue },
      { strategy: 'narrowing', rounds: 2, trials_per_round: 3, enqueue },
    ]) {
      const text = JSON.stringify(docWith(search, search.strategy === 'grid' ? grid : baseDoc().params));
      expect(parseSpace(text, 'space.json', SPACES_DIR).space.enqueue, search.strategy).toEqual(enqueue);
    }
    expect(parseSpace(JSON.stringify(baseDoc()), 'space.json', SPACES_DIR).space.enqueue).toEqual([]);
  });

  it('points at the entry and the param of each problem, with its line', () => {
    const text = `study: s
objective: { module: ../objectives/noop.mjs, direction: maximize }
search:
  strategy: random
  trials: 10
  enqueue:
    - { lr: 0.01 }
    - { lr: 0.5, opt: adam }
params:
  lr: { type: float, low: 1.0e-3, high: 1.0e-1, log: true }
`;
    const issues = issuesOf(text);
    expect(issueAt(issues, 'search.enqueue.1.lr')).toEqual({
      path: 'search.enqueue.1.lr',
      message: 'enqueued lr 0.5 is outside [0.001, 0.1]; give a value in that range, or widen params.lr',
      line: 8,
      column: 13,
    });
    expect(issueAt(issues, 'search.enqueue.1.opt')).toMatchObject({ message: 'enqueued param "opt" is not in the space; its params are lr', line: 8, column: 18 });
    expect(issues).toHaveLength(2);
  });

  it('refuses a list that is not one, entries that are not mappings, and more entries than trials', () => {
    expect(issueAt(issuesOf(docWith({ strategy: 'random', trials: 10, enqueue: { lr: 0.01 } })), 'search.enqueue').message).toBe(
      "expected a list of trials' params, e.g. [{ learning_rate: 0.01, weight_decay: 1.0e-6 }], got a mapping",
    );
    expect(issueAt(issuesOf(docWith({ strategy: 'random', trials: 10, enqueue: [0.01] })), 'search.enqueue.0').message).toBe(
      'expected a mapping of param name to value, e.g. { lr: 0.01 }, got number 0.01',
    );
    expect(issueAt(issuesOf(docWith({ strategy: 'random', trials: 2, enqueue: [{}, {}, {}] })), 'search.enqueue').message).toBe(
      '3 trials enqueued, more than search.trials (2): enqueued trials count toward the trials; enqueue fewer or raise trials',
    );
  });

  it('does not judge entries by params that are broken themselves', () => {
    const issues = issuesOf(docWith({ strategy: 'random', trials: 10, enqueue: [{ lr: 0.5 }] }, { lr: { type: 'float', low: 1, high: 0.1 } }));
    expect(issues.map((issue) => issue.path)).toEqual(['params.lr.low']);
  });
});

describe('enqueued params of a conditional space', () => {
  const conditional: ParamSpecs = {
    optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
    momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: { optimizer: { kind: 'in', values: ['momentum'] } } },
    dampening: { type: 'float', low: 0, high: 0.5, log: false, when: { momentum: { kind: 'range', max: 0.7 } } },
  };
  const refusal = (params: Record<string, unknown>) => {
    try {
      enqueuedParams(params, conditional);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(params)} to be refused`);
  };

  it('takes a conditional param with the parents that make it exist', () => {
    expect(enqueuedParams({ optimizer: 'momentum', momentum: 0.6, dampening: 0.1 }, conditional)).toEqual({ optimizer: 'momentum', momentum: 0.6, dampening: 0.1 });
    expect(enqueuedParams({ optimizer: 'adam' }, conditional)).toEqual({ optimizer: 'adam' });
  });

  it('refuses one its given parents make inactive, and one whose parents are left to the sampler', () => {
    expect(refusal({ optimizer: 'adam', momentum: 0.9 })).toBe(
      'enqueued momentum does not exist in this trial (momentum exists only when optimizer = momentum); leave it out, or change optimizer',
    );
    expect(refusal({ momentum: 0.9 })).toBe('enqueued momentum is conditional: give optimizer too (momentum exists only when optimizer = momentum), or leave momentum out');
    expect(refusal({ optimizer: 'momentum', dampening: 0.1 })).toBe(
      'enqueued dampening is conditional: give momentum too (dampening exists only when momentum <= 0.7), or leave dampening out',
    );
    expect(refusal({ optimizer: 'momentum', momentum: 0.9, dampening: 0.1 })).toMatch(/^enqueued dampening does not exist in this trial/);
  });
});
