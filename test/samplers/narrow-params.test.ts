import { describe, expect, it } from 'vitest';
import { narrowParams } from '../../src/samplers/narrow-params.js';
import type { ParamSpecs } from '../../src/space/types.js';

describe('narrowParams', () => {
  it('linear float: the top span widened by margin x span on each side', () => {
    const out = narrowParams({ x: { type: 'float', low: 0, high: 10, log: false } }, [{ x: 4 }, { x: 6 }, { x: 5 }], 0.25);
    expect(out.x).toEqual({ type: 'float', low: 3.5, high: 6.5, log: false });
  });

  it('log float: span and margin measured in decades', () => {
    const out = narrowParams({ lr: { type: 'float', low: 1e-6, high: 1, log: true } }, [{ lr: 1e-4 }, { lr: 1e-2 }], 0.5);
    expect(out.lr).toEqual({ type: 'float', low: 1e-5, high: 1e-1, log: true });
  });

  it('clamps to the old range', () => {
    const out = narrowParams({ x: { type: 'float', low: 0, high: 10, log: false } }, [{ x: 1 }, { x: 9 }], 0.5);
    expect(out.x).toEqual({ type: 'float', low: 0, high: 10, log: false });
    const outside = narrowParams({ x: { type: 'float', low: 0, high: 10, log: false } }, [{ x: 20 }, { x: 8 }], 0);
    expect(outside.x).toEqual({ type: 'float', low: 8, high: 10, log: false });
  });

  it('span 0: widens by margin x the old span, so the range does not collapse', () => {
    const lin = narrowParams({ x: { type: 'float', low: 0, high: 10, log: false } }, [{ x: 5 }, { x: 5 }], 0.1);
    expect(lin.x).toEqual({ type: 'float', low: 4, high: 6, log: false });
    const log = narrowParams({ lr: { type: 'float', low: 1e-6, high: 1e-2, log: true } }, [{ lr: 1e-4 }], 0.25);
    expect(log.lr).toEqual({ type: 'float', low: 1e-5, high: 1e-3, log: true });
  });

  it('margin 0 with a single value turns a float into a fixed param', () => {
    const out = narrowParams({ x: { type: 'float', low: 0, high: 10, log: false } }, [{ x: 3.25 }], 0);
    expect(out.x).toEqual({ type: 'fixed', value: 3.25 });
  });

  it('ints round outward to integers and stay on the step lattice from the old low', () => {
    const specs: ParamSpecs = {
      n: { type: 'int', low: 0, high: 100, log: false, step: 1 },
      units: { type: 'int', low: 4, high: 100, log: false, step: 8 },
    };
    // n: [40, 50] +- 1.5 -> [38.5, 51.5] -> [38, 52]. units: [36, 52] +- 1.6 -> [34.4, 53.6] -> lattice 4 + 8k -> [28, 60].
    const out = narrowParams(specs, [{ n: 40, units: 36 }, { n: 50, units: 52 }], 0.15);
    expect(out.n).toEqual({ type: 'int', low: 38, high: 52, log: false, step: 1 });
    expect(out.units).toEqual({ type: 'int', low: 28, high: 60, log: false, step: 8 });
  });

  it('an int may end with low == high', () => {
    const out = narrowParams({ n: { type: 'int', low: 1, high: 9, log: false, step: 1 } }, [{ n: 3 }], 0);
    expect(out.n).toEqual({ type: 'int', low: 3, high: 3, log: false, step: 1 });
  });

  it('log ints narrow in decades and round outward', () => {
    const out = narrowParams({ u: { type: 'int', low: 1, high: 10_000, log: true, step: 1 } }, [{ u: 100 }, { u: 1000 }], 0.5);
    // 10^1.5 = 31.6 -> 31; 10^3.5 = 3162.3 -> 3163.
    expect(out.u).toEqual({ type: 'int', low: 31, high: 3163, log: true, step: 1 });
  });

  it('categorical keeps only the choices among the top, in the original order', () => {
    const out = narrowParams(
      { act: { type: 'categorical', choices: ['relu', 'tanh', 'elu', 'sigmoid'] } },
      [{ act: 'elu' }, { act: 'relu' }, { act: 'elu' }],
      0.1,
    );
    expect(out.act).toEqual({ type: 'categorical', choices: ['relu', 'elu'] });
  });

  it('keeps fixed params, and params no top entry has', () => {
    const specs: ParamSpecs = {
      epochs: { type: 'fixed', value: 3 },
      x: { type: 'float', low: 0, high: 1, log: false },
      act: { type: 'categorical', choices: ['a', 'b'] },
    };
    expect(narrowParams(specs, [], 0.1)).toEqual(specs);
    expect(narrowParams(specs, [{ epochs: 3 }], 0.1)).toEqual(specs);
    // Entries lacking x are skipped; the one that has it decides.
    expect(narrowParams(specs, [{ act: 'a' }, { x: 0.5 }], 0).x).toEqual({ type: 'fixed', value: 0.5 });
  });

  it('filters values to the new range, drops them when none fit, keeps grid', () => {
    const specs: ParamSpecs = {
      a: { type: 'float', low: 0, high: 1, log: false, values: [0, 0.25, 0.5, 0.75, 1] },
      b: { type: 'float', low: 0, high: 1, log: false, values: [0, 1] },
      c: { type: 'float', low: 1e-4, high: 1, log: true, grid: 5 },
    };
    const out = narrowParams(specs, [{ a: 0.25, b: 0.4, c: 1e-3 }, { a: 0.5, b: 0.6, c: 1e-2 }], 0);
    expect(out.a).toEqual({ type: 'float', low: 0.25, high: 0.5, log: false, values: [0.25, 0.5] });
    expect(out.b).toEqual({ type: 'float', low: 0.4, high: 0.6, log: false });
    expect(out.c).toEqual({ type: 'float', low: 1e-3, high: 1e-2, log: true, grid: 5 });
  });

  it('keeps a float step lattice and the param order; does not mutate its input', () => {
    const specs: ParamSpecs = {
      z: { type: 'float', low: 0.5, high: 0.99, log: false, step: 0.1 },
      a: { type: 'categorical', choices: [1, 2] },
    };
    const copy = structuredClone(specs);
    const out = narrowParams(specs, [{ z: 0.7, a: 1 }, { z: 0.8, a: 1 }], 0.2);
    // [0.7, 0.8] +- 0.02 -> [0.68, 0.82] -> lattice 0.5 + 0.1k -> [0.6, 0.9].
    expect(out.z).toEqual({ type: 'float', low: 0.6, high: 0.9, log: false, step: 0.1 });
    expect(Object.keys(out)).toEqual(['z', 'a']);
    expect(specs).toEqual(copy);
  });
});
