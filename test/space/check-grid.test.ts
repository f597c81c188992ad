import { describe, expect, it } from 'vitest';
import { parseSpace } from '../../src/space/load.js';
import { issueAt, issuesOf, SPACES_DIR, withParams } from './helpers.js';

const OPTIMIZERS_YAML = `study: optimizers
objective:
  module: ../objectives/noop.mjs
  direction: maximize
search:
  strategy: grid
params:
  lr: { type: float, low: 0.01, high: 0.1, log: true, grid: 2 }
  optimizer: { type: categorical, choices: [sgd, momentum, adam] }
  momentum: { type: float, values: [0.5, 0.9], when: { optimizer: [momentum] } }
  beta1: { type: float, values: [0.8, 0.9, 0.99], when: { optimizer: [adam] } }
`;

describe('the size of a conditional grid, at load time', () => {
  it("counts the issue's example over its tree: 2 × (1 + 2 + 3) = 12 trials by default, not the product's 36", () => {
    expect(parseSpace(OPTIMIZERS_YAML, 'optimizers.yaml', SPACES_DIR).space.search).toEqual({ strategy: 'grid', trials: 12 });
    const partial = OPTIMIZERS_YAML.replace('  strategy: grid\n', '  strategy: grid\n  trials: 12\n');
    expect(parseSpace(partial, 'optimizers.yaml', SPACES_DIR).space.search).toEqual({ strategy: 'grid', trials: 12 });
  });

  it('refuses more trials than the tree has points, with the unconditional message', () => {
    const over = OPTIMIZERS_YAML.replace('  strategy: grid\n', '  strategy: grid\n  trials: 13\n');
    expect(issueAt(issuesOf(over), 'search.trials').message).toBe('trials (13) is more than the grid size (12); lower it or leave it out to run the whole grid');
  });

  it('accepts a conditional grid whose product is over the limit but whose tree is not', () => {
    // a = 1 alone, then 999 values of a with 1,001 of b each: 1 + 999 × 1,001 = 1,000,000.
    const params = { a: { type: 'int', low: 1, high: 1000 }, b: { type: 'int', low: 1, high: 1001, when: { a: { min: 2 } } } };
    const { space } = parseSpace(JSON.stringify(withParams(params, { strategy: 'grid' })), 's.json', SPACES_DIR);
    expect(space.search).toEqual({ strategy: 'grid', trials: 1_000_000 });
  });

  it('refuses a tree over the limit, stating its size and each param with its branch', () => {
    const params = {
      a: { type: 'int', low: 1, high: 1000 },
      b: { type: 'int', low: 1, high: 1001, when: { a: { min: 1 } } },
      c: { type: 'categorical', choices: ['x', 'y'], when: { a: [1, 2] } },
      d: { type: 'fixed', value: 3 },
    };
    expect(issueAt(issuesOf(withParams(params, { strategy: 'grid' })), 'params').message).toBe(
      'the grid has 1,003,002 points, more than the limit of 1,000,000 (counted branch by branch, a conditional param only where its conditions hold: a: 1,000, b: 1,001 when a >= 1, c: 2 when a in [1, 2]); use fewer points per param, or strategy: random',
    );
  });

  it('refuses a param with more points than the whole grid may have, at that param', () => {
    const params = {
      opt: { type: 'categorical', choices: ['a', 'b'] },
      steps: { type: 'int', low: 0, high: 2_000_000, when: { opt: ['a'] } },
      lr: { type: 'float', low: 0, high: 1, step: 1e-7, when: { opt: ['b'] } },
    };
    const issues = issuesOf(withParams(params, { strategy: 'grid' }));
    expect(issueAt(issues, 'params.steps').message).toBe(
      'has 2,000,001 grid points by itself, more than the limit of 1,000,000 for the whole grid; give it fewer points or use strategy: random',
    );
    expect(issueAt(issues, 'params.lr').message).toBe(
      'has 10,000,001 grid points by itself, more than the limit of 1,000,000 for the whole grid; give it fewer points or use strategy: random',
    );
  });

  it('still asks for grid points of a conditional float that has none', () => {
    const params = { opt: { type: 'categorical', choices: ['a', 'b'] }, lr: { type: 'float', low: 0, high: 1, when: { opt: ['a'] } } };
    expect(issueAt(issuesOf(withParams(params, { strategy: 'grid' })), 'params.lr').message).toBe('grid search needs values: [...], grid: N or step');
  });
});
