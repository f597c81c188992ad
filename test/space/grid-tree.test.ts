import { describe, expect, it } from 'vitest';
import { activeNames, conditionsHold, decisionOrder } from '../../src/space/conditions.js';
import { gridValues } from '../../src/space/distributions.js';
import { GridTree } from '../../src/space/grid-tree.js';
import type { Params, ParamSpecs, ParamValue } from '../../src/space/types.js';

const valuesOf = (specs: ParamSpecs): Record<string, ParamValue[]> =>
  Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, gridValues(spec)!]));
const treeOf = (specs: ParamSpecs): GridTree => new GridTree(specs, valuesOf(specs));
const listing = (tree: GridTree): Params[] => Array.from({ length: tree.size }, (_, position) => tree.pointAt(position));
const keys = (points: Params[]): string[] => points.map((p) => JSON.stringify(p));

/**
 * The tree by its definition, materialised: params in decision order, one skipped where its
 * conditions fail, each active one branching over its values in order. What the counting decode
 * must reproduce without building it.
 */
function enumerate(specs: ParamSpecs): Params[] {
  const order = decisionOrder(specs);
  const values = valuesOf(specs);
  const points: Params[] = [];
  const visit = (k: number, decided: Params) => {
    if (k === order.length) {
      const point: Params = {};
      for (const name of Object.keys(specs)) if (Object.hasOwn(decided, name)) point[name] = decided[name];
      points.push(point);
      return;
    }
    const name = order[k];
    if (!conditionsHold(specs[name], decided)) return visit(k + 1, decided);
    for (const value of values[name]) visit(k + 1, { ...decided, [name]: value });
  };
  visit(0, {});
  return points;
}

const int = (low: number, high: number, step = 1) => ({ type: 'int', low, high, log: false, step }) as const;
const choices = (...values: ParamValue[]) => ({ type: 'categorical', choices: values }) as const;
const floats = (...values: number[]) => ({ type: 'float', low: 0, high: 1, log: false, values }) as const;

/** The example: lr grid 2 × optimizer {sgd, momentum with 2 values, adam with 3}. */
const optimizers: ParamSpecs = {
  lr: floats(0.01, 0.1),
  optimizer: choices('sgd', 'momentum', 'adam'),
  momentum: { ...floats(0.5, 0.9), when: { optimizer: { kind: 'in', values: ['momentum'] } } },
  beta1: { ...floats(0.8, 0.9, 0.99), when: { optimizer: { kind: 'in', values: ['adam'] } } },
};

describe('GridTree', () => {
  it("counts the issue's example as the sum over branches, 2 × (1 + 2 + 3) = 12, and lists exactly its points", () => {
    const tree = treeOf(optimizers);
    expect(tree.size).toBe(12);
    const expected: Params[] = [];
    for (const lr of [0.01, 0.1]) {
      expected.push({ lr, optimizer: 'sgd' });
      for (const momentum of [0.5, 0.9]) expected.push({ lr, optimizer: 'momentum', momentum });
      for (const beta1 of [0.8, 0.9, 0.99]) expected.push({ lr, optimizer: 'adam', beta1 });
    }
    const points = listing(tree);
    expect(points).toEqual(expected);
    expect(points.map((p) => Object.keys(p))).toEqual(expected.map((p) => Object.keys(p)));
    expect(new Set(keys(points)).size).toBe(12);
  });

  it('decides parents first but emits the params in declaration order', () => {
    // The children declared before their parent: the parent is still decided (and varies) first.
    const specs: ParamSpecs = { momentum: optimizers.momentum, beta1: optimizers.beta1, optimizer: optimizers.optimizer, lr: optimizers.lr };
    const points = listing(treeOf(specs));
    expect(points).toHaveLength(12);
    expect(points.slice(0, 3)).toEqual([
      { optimizer: 'sgd', lr: 0.01 },
      { optimizer: 'sgd', lr: 0.1 },
      { momentum: 0.5, optimizer: 'momentum', lr: 0.01 },
    ]);
    expect(Object.keys(points[2])).toEqual(['momentum', 'optimizer', 'lr']);
    expect(points).toEqual(enumerate(specs));
  });

  it('lists an unconditional space as the cartesian product in mixed radix, the last param fastest', () => {
    const specs: ParamSpecs = { a: choices('x', 'y'), b: int(0, 2), c: { type: 'fixed', value: null }, d: floats(0.1, 0.2, 0.3, 0.4) };
    const tree = treeOf(specs);
    expect(tree.size).toBe(24);
    const points = listing(tree);
    for (const [position, point] of points.entries()) {
      expect(point).toEqual({ a: ['x', 'y'][Math.floor(position / 12)], b: Math.floor(position / 4) % 3, c: null, d: [0.1, 0.2, 0.3, 0.4][position % 4] });
    }
  });

  it('follows nested conditions: a conditional parent, an int range { min: 3 }, several clauses on one param', () => {
    const specs: ParamSpecs = {
      layers: int(1, 4),
      units_3: { ...int(16, 64, 16), when: { layers: { kind: 'range', min: 3 } } },
      activation: choices('relu', 'tanh'),
      // Two clauses, one on a param that is itself conditional.
      dropout_3: { ...floats(0, 0.5), when: { units_3: { kind: 'range', max: 32 }, activation: { kind: 'in', values: ['relu'] } } },
      optimizer: choices('sgd', 'adam'),
      beta1: { ...floats(0.9, 0.99), when: { optimizer: { kind: 'in', values: ['adam'] } } },
      // A grandchild: exists only under adam with beta1 = 0.9.
      beta2: { ...floats(0.99, 0.999, 0.9999), when: { beta1: { kind: 'in', values: [0.9] } } },
    };
    // layers 1, 2: activation 2 → 2 each. layers 3, 4: units_3 4 values; with units_3 <= 32 (2 of
    // them) relu doubles with dropout_3: 2 × (1 + 2) + 2 × 2 = 10 each. Optimizer: sgd 1, adam
    // with beta1 0.9 (beta2: 3) or 0.99 (1) = 4; so 5 in all.
    const tree = treeOf(specs);
    expect(tree.size).toBe((2 + 2 + 10 + 10) * 5);
    const points = listing(tree);
    expect(points).toEqual(enumerate(specs));
    expect(new Set(keys(points)).size).toBe(tree.size);
    for (const point of points) {
      // Every point holds exactly the params its values make active, no more, no fewer.
      expect(Object.keys(point)).toEqual(activeNames(specs, point));
      expect(Object.hasOwn(point, 'units_3')).toBe((point['layers'] as number) >= 3);
      expect(Object.hasOwn(point, 'dropout_3')).toBe(Object.hasOwn(point, 'units_3') && (point['units_3'] as number) <= 32 && point['activation'] === 'relu');
      expect(Object.hasOwn(point, 'beta2')).toBe(point['optimizer'] === 'adam' && point['beta1'] === 0.9);
    }
  });

  it('agrees with the materialised tree on params that share parents and clauses that never hold together', () => {
    const specs: ParamSpecs = {
      a: int(0, 5),
      b: { ...choices('p', 'q', 'r'), when: { a: { kind: 'range', min: 1, max: 3 } } },
      c: { ...int(0, 2), when: { a: { kind: 'in', values: [0, 2, 5] }, b: { kind: 'in', values: ['q', 'r'] } } },
      d: { ...choices(true, false), when: { c: { kind: 'range', min: 1 } } },
      e: { ...floats(0.25, 0.75), when: { a: { kind: 'range', max: 0 } } },
    };
    const points = listing(treeOf(specs));
    expect(points).toEqual(enumerate(specs));
    for (const point of points) expect(Object.keys(point)).toEqual(activeNames(specs, point));
  });

  it('decodes by counting, not by listing: a range condition over 1,000 values makes two runs of equal counts', () => {
    // a < 500: one point each; a >= 500: 1,000 values of b each. 500 + 500 × 1,000 points.
    const specs: ParamSpecs = { a: int(0, 999), b: { ...int(0, 999), when: { a: { kind: 'range', min: 500 } } } };
    const tree = treeOf(specs);
    expect(tree.size).toBe(500_500);
    expect(tree.pointAt(0)).toEqual({ a: 0 });
    expect(tree.pointAt(499)).toEqual({ a: 499 });
    expect(tree.pointAt(500)).toEqual({ a: 500, b: 0 });
    expect(tree.pointAt(500 + 1000 * 123 + 456)).toEqual({ a: 623, b: 456 });
    expect(tree.pointAt(500_499)).toEqual({ a: 999, b: 999 });
  });

  it('leaves out a param whose parent is unknown or decided after it (a space the loader would refuse), as decideParams does', () => {
    const specs: ParamSpecs = {
      x: int(0, 1),
      ghost: { ...int(0, 9), when: { nope: { kind: 'in', values: [1] } } },
      p: { ...int(0, 1), when: { q: { kind: 'in', values: [0] } } },
      q: { ...int(0, 1), when: { p: { kind: 'in', values: [0] } } },
    };
    const points = listing(treeOf(specs));
    expect(points).toEqual([{ x: 0 }, { x: 1 }]);
    for (const point of points) expect(Object.keys(point)).toEqual(activeNames(specs, point));
  });
});
