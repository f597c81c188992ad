import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { activeNames, activeParams, activationKey, decisionOrder, describeConditions } from '../../src/space/conditions.js';
import { parseSpace } from '../../src/space/load.js';
import type { ParamSpecs } from '../../src/space/types.js';
import { issueAt, issuesOf, SPACES_DIR, withParams } from './helpers.js';

const OPTIMIZER = { type: 'categorical', choices: ['sgd', 'momentum', 'nesterov', 'adam'] };

function specsOf(params: Record<string, unknown>, search: Record<string, unknown> = { strategy: 'random', trials: 10 }): ParamSpecs {
  return parseSpace(stringify(withParams(params, search)), 'space.yaml', SPACES_DIR).space.params;
}

describe('when: in a space file', () => {
  it('reads a list of values, a single value and a numeric range, into clauses', () => {
    const specs = specsOf({
      optimizer: OPTIMIZER,
      momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: ['momentum', 'nesterov'] } },
      beta1: { type: 'float', low: 0.8, high: 0.99, when: { optimizer: 'adam' } },
      layers: { type: 'int', low: 1, high: 5 },
      units_3: { type: 'int', low: 16, high: 256, when: { layers: { min: 3 } } },
      units_5: { type: 'int', low: 16, high: 256, when: { layers: { min: 4, max: 5 }, optimizer: ['adam'] } },
    });
    expect(specs['momentum']!.when).toEqual({ optimizer: { kind: 'in', values: ['momentum', 'nesterov'] } });
    expect(specs['beta1']!.when).toEqual({ optimizer: { kind: 'in', values: ['adam'] } });
    expect(specs['units_3']!.when).toEqual({ layers: { kind: 'range', min: 3 } });
    expect(describeConditions(specs['units_5']!.when)).toBe('4 <= layers <= 5 and optimizer = adam');
    expect(specs['optimizer']!.when).toBeUndefined();
  });

  it('refuses a parent that is not a param, with a did-you-mean', () => {
    const issues = issuesOf(withParams({ optimizer: OPTIMIZER, momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimzer: ['momentum'] } } }));
    expect(issueAt(issues, 'params.momentum.when.optimzer').message).toBe('unknown parent param "optimzer"; did you mean "optimizer"?');
    const far = issuesOf(withParams({ optimizer: OPTIMIZER, momentum: { type: 'float', low: 0.5, high: 0.99, when: { zzz: ['momentum'] } } }));
    expect(issueAt(far, 'params.momentum.when.zzz').message).toBe('unknown parent param "zzz"; the params are optimizer');
  });

  it('refuses values the parent can never take', () => {
    const issues = issuesOf(
      withParams({
        optimizer: OPTIMIZER,
        layers: { type: 'int', low: 1, high: 4 },
        lr: { type: 'float', low: 0.001, high: 0.1 },
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: ['momentum', 'adamw'] } },
        units_9: { type: 'int', low: 16, high: 256, when: { layers: { min: 9 } } },
        units_x: { type: 'int', low: 16, high: 256, when: { layers: [2.5] } },
        big: { type: 'int', low: 1, high: 2, when: { lr: [0.5] } },
      }),
    );
    expect(issueAt(issues, 'params.momentum.when.optimizer.1').message).toBe(
      'optimizer never takes "adamw" (its choices: "sgd", "momentum", "nesterov", "adam"); did you mean "adam"?',
    );
    expect(issueAt(issues, 'params.units_9.when.layers').message).toBe('layers never takes a value in this range (it takes 1, 2, 3, 4), so the param would never exist');
    expect(issueAt(issues, 'params.units_x.when.layers').message).toBe('layers never takes 2.5 (it takes 1, 2, 3, 4)');
    expect(issueAt(issues, 'params.big.when.lr').message).toBe('lr never takes 0.5 (its range is [0.001, 0.1])');
    expect(issues).toHaveLength(4);
  });

  it('under grid search, a numeric parent takes only its grid points', () => {
    const issues = issuesOf(
      withParams(
        { layers: { type: 'int', values: [2, 4] }, units_3: { type: 'int', values: [16, 32], when: { layers: [3] } } },
        { strategy: 'grid' },
      ),
    );
    expect(issueAt(issues, 'params.units_3.when.layers').message).toBe('layers never takes 3 (it takes 2, 4)');
  });

  it('refuses min/max on a categorical or non-numeric fixed parent', () => {
    const issues = issuesOf(
      withParams({
        optimizer: OPTIMIZER,
        tag: 'wide',
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: { min: 1 } } },
        other: { type: 'float', low: 0, high: 1, when: { tag: { max: 3 } } },
      }),
    );
    expect(issueAt(issues, 'params.momentum.when.optimizer').message).toBe(
      'min/max need a numeric parent, and optimizer is categorical; list the values instead, e.g. ["sgd", "momentum"]',
    );
    expect(issueAt(issues, 'params.other.when.tag').message).toBe('min/max need a numeric parent, and tag is fixed at "wide"; list the values instead, e.g. ["wide"]');
  });

  it('refuses a cycle once, naming it, and a param that names itself', () => {
    const issues = issuesOf(
      withParams({
        a: { type: 'categorical', choices: [1, 2], when: { c: [1] } },
        b: { type: 'categorical', choices: [1, 2], when: { a: [1] } },
        c: { type: 'categorical', choices: [1, 2], when: { b: [2] } },
        d: { type: 'categorical', choices: [1, 2] },
      }),
    );
    expect(issues).toEqual([
      expect.objectContaining({ path: 'params.a.when', message: 'the conditions form a cycle: a → c → b → a (each needs the next decided first); remove one of these conditions' }),
    ]);
    const self = issuesOf(withParams({ a: { type: 'categorical', choices: [1, 2], when: { a: [1] } } }));
    expect(issueAt(self, 'params.a.when.a').message).toBe('a cannot depend on itself; name another param');
  });

  it('refuses malformed clauses with what to write', () => {
    const issues = issuesOf(
      withParams({
        optimizer: OPTIMIZER,
        layers: { type: 'int', low: 1, high: 4 },
        a: { type: 'float', low: 0, high: 1, when: [] },
        b: { type: 'float', low: 0, high: 1, when: {} },
        c: { type: 'float', low: 0, high: 1, when: { optimizer: [] } },
        d: { type: 'float', low: 0, high: 1, when: { layers: {} } },
        e: { type: 'float', low: 0, high: 1, when: { layers: { min: 3, max: 2 } } },
        f: { type: 'float', low: 0, high: 1, when: { layers: { minimum: 3 } } },
        g: { type: 'float', low: 0, high: 1, when: { layers: { min: '3' } } },
      }),
    );
    expect(issueAt(issues, 'params.a.when').message).toMatch(/^expected a mapping of parent param to the values it must take, e\.g\. when: \{ optimizer: \[momentum, nesterov\] \}/);
    expect(issueAt(issues, 'params.b.when').message).toMatch(/^names no parent param; remove when: or name one/);
    expect(issueAt(issues, 'params.c.when.optimizer').message).toBe('must not be empty: list the parent values for which this param exists');
    expect(issueAt(issues, 'params.d.when.layers').message).toBe('a range needs min, max or both, e.g. { min: 3 }; or list the values instead, e.g. [3, 4]');
    expect(issueAt(issues, 'params.e.when.layers.min').message).toBe('min (3) must be <= max (2)');
    expect(issueAt(issues, 'params.f.when.layers.minimum').message).toBe('unknown key; did you mean "min"?; a range takes min and/or max');
    expect(issueAt(issues, 'params.g.when.layers.min').message).toBe('expected a finite number, got string "3"');
  });

  it('points at the line of the bad clause, and the CLI exits 2 (a validation error)', () => {
    const text = [
      'objective: { module: ../objectives/noop.mjs, direction: maximize }',
      'search: { strategy: random, trials: 5 }',
      'params:',
      '  optimizer: { type: categorical, choices: [sgd, adam] }',
      '  momentum: { type: float, low: 0.5, high: 0.99, when: { optimizer: [nesterov] } }',
      '',
    ].join('\n');
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'params.momentum.when.optimizer', line: 5, message: 'optimizer never takes "nesterov" (its choices: "sgd", "adam")' });
  });
});

describe('activation', () => {
  const specs = specsOf({
    units_3: { type: 'int', low: 16, high: 256, when: { layers: { min: 3 }, deep: [true] } },
    optimizer: OPTIMIZER,
    momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: ['momentum', 'nesterov'] } },
    dampening: { type: 'float', low: 0, high: 0.5, when: { momentum: { max: 0.9 } } },
    layers: { type: 'int', low: 1, high: 5 },
    deep: { type: 'categorical', choices: [true, false] },
  });

  it('decides parents first, keeping declaration order otherwise', () => {
    expect(decisionOrder(specs)).toEqual(['optimizer', 'momentum', 'dampening', 'layers', 'deep', 'units_3']);
  });

  it('is active when every clause holds and every parent is active', () => {
    const names = (params: Record<string, unknown>) => activeNames(specs, params as never);
    expect(names({ optimizer: 'sgd', layers: 2, deep: true })).toEqual(['optimizer', 'layers', 'deep']);
    expect(names({ optimizer: 'nesterov', momentum: 0.8, layers: 3, deep: true })).toEqual(['units_3', 'optimizer', 'momentum', 'dampening', 'layers', 'deep']);
    expect(names({ optimizer: 'momentum', momentum: 0.95, layers: 3, deep: false })).toEqual(['optimizer', 'momentum', 'layers', 'deep']);
    // A stale momentum value does not make dampening active when momentum itself is inactive.
    expect(names({ optimizer: 'adam', momentum: 0.8, layers: 5, deep: true })).toEqual(['units_3', 'optimizer', 'layers', 'deep']);
    expect(activeParams(specs, { optimizer: 'adam', momentum: 0.8, dampening: 0.1, layers: 1, deep: true })).toEqual({ optimizer: 'adam', layers: 1, deep: true });
  });

  it('keys params by the whole chain of conditions they exist under', () => {
    expect(activationKey(specs, 'optimizer')).toBe('');
    expect(activationKey(specs, 'dampening')).not.toBe(activationKey(specs, 'momentum'));
    expect(activationKey(specs, 'dampening')).toContain(activationKey(specs, 'momentum'));
    const twins = specsOf({
      optimizer: OPTIMIZER,
      beta1: { type: 'float', low: 0.8, high: 0.99, when: { optimizer: ['adam'] } },
      beta2: { type: 'float', low: 0.9, high: 0.9999, when: { optimizer: 'adam' } },
    });
    expect(activationKey(twins, 'beta1')).toBe(activationKey(twins, 'beta2'));
  });
});
