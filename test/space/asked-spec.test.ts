import { describe, expect, it } from 'vitest';
import {
  askedCategorical, askedFloat, askedInt, askedSpec, describeDistribution, fitsDistribution, sameDistribution, singleValue,
} from '../../src/space/asked-spec.js';

describe('the distributions an objective asks with', () => {
  it('builds the spec a space file would declare: floats with optional step, ints with step 1 by default, choices as given', () => {
    expect(askedFloat('lr', 1e-5, 0.1, { log: true })).toEqual({ type: 'float', low: 1e-5, high: 0.1, log: true });
    expect(askedFloat('drop', 0, 0.5, { step: 0.1 })).toEqual({ type: 'float', low: 0, high: 0.5, log: false, step: 0.1 });
    expect(askedFloat('x', -1, -1)).toEqual({ type: 'float', low: -1, high: -1, log: false });
    expect(askedInt('units', 8, 64, { log: true })).toEqual({ type: 'int', low: 8, high: 64, log: true, step: 1 });
    expect(askedInt('units', 8, 64, { step: 8 })).toEqual({ type: 'int', low: 8, high: 64, log: false, step: 8 });
    expect(askedCategorical('act', ['relu', 1, true, null])).toEqual({ type: 'categorical', choices: ['relu', 1, true, null] });
  });

  it('refuses a wrong argument with a TypeError naming the method, the param and the argument', () => {
    const refusals: [() => unknown, string][] = [
      [() => askedFloat('lr', '1e-5', 0.1), 'ctx.suggestFloat("lr"): low must be a finite number, got string "1e-5"'],
      [() => askedFloat('lr', 0, Infinity), 'ctx.suggestFloat("lr"): high must be a finite number, got number Infinity'],
      [() => askedFloat('lr', 0, NaN), 'ctx.suggestFloat("lr"): high must be a finite number, got number NaN'],
      [() => askedFloat('lr', 0.1, 0.01), 'ctx.suggestFloat("lr"): low (0.1) must be <= high (0.01)'],
      [() => askedFloat('lr', 0, 1, { log: true }), 'ctx.suggestFloat("lr"): log needs low > 0, got 0; use a positive low or leave log out'],
      [() => askedFloat('lr', 1, 2, { log: true, step: 0.5 }), 'ctx.suggestFloat("lr"): options.log and options.step cannot be combined; give one of them'],
      [() => askedFloat('lr', 1, 2, { step: 0 }), 'ctx.suggestFloat("lr"): options.step must be a positive finite number, got number 0'],
      [() => askedFloat('lr', 1, 2, { log: 'yes' }), 'ctx.suggestFloat("lr"): options.log must be true or false, got string "yes"'],
      [() => askedFloat('lr', 1, 2, { logg: true }), 'ctx.suggestFloat("lr"): unknown option "logg"; the options are log and step'],
      [() => askedFloat('lr', 1, 2, 'log'), 'ctx.suggestFloat("lr"): options must be an object such as { log: true } or { step: 0.1 }, got string "log"'],
      [() => askedFloat('', 1, 2), 'ctx.suggestFloat: the param name must be a non-empty string, got string ""'],
      [() => askedFloat(3, 1, 2), 'ctx.suggestFloat: the param name must be a non-empty string, got number 3'],
      [() => askedFloat('__proto__', 1, 2), 'ctx.suggestFloat: "__proto__" cannot be a param name; rename the param'],
      [() => askedInt('units', 1.5, 4), 'ctx.suggestInt("units"): low must be an integer, got number 1.5'],
      [() => askedInt('units', 1, 4, { step: 0.5 }), 'ctx.suggestInt("units"): options.step must be a positive integer, got number 0.5'],
      [() => askedCategorical('act', []), 'ctx.suggestCategorical("act"): choices must be a non-empty list of numbers, strings, booleans or null, got an empty list'],
      [() => askedCategorical('act', 'relu'), 'ctx.suggestCategorical("act"): choices must be a non-empty list of numbers, strings, booleans or null, got string "relu"'],
      [() => askedCategorical('act', ['relu', { a: 1 }]), 'ctx.suggestCategorical("act"): choices[1] must be a finite number, a string, a boolean or null, got an object'],
      [() => askedCategorical('act', [1, NaN]), 'ctx.suggestCategorical("act"): choices[1] must be a finite number, a string, a boolean or null, got number NaN'],
      [() => askedCategorical('act', ['relu', 'tanh', 'relu']), 'ctx.suggestCategorical("act"): choices[2] repeats string "relu"; give each choice once'],
    ];
    for (const [call, message] of refusals) expect(call, message).toThrow(new TypeError(message));
  });

  it('checks a spec from outside a call as the call would, keeping only what a distribution is', () => {
    expect(askedSpec('u', { type: 'int', low: 1, high: 3, log: false, step: 1, values: [1, 2], when: { a: { kind: 'in', values: [1] } } })).toEqual({ type: 'int', low: 1, high: 3, log: false, step: 1 });
    expect(askedSpec('lr', { type: 'float', low: 1, high: 2 })).toEqual({ type: 'float', low: 1, high: 2, log: false });
    expect(() => askedSpec('lr', { type: 'float', low: 2, high: 1 })).toThrow('suggest("lr"): low (2) must be <= high (1)');
    expect(() => askedSpec('lr', null)).toThrow('suggest("lr"): the distribution must be an object, got null');
    expect(() => askedSpec('lr', { type: 'fixed', value: 1 })).toThrow('the distribution\'s type must be float, int or categorical, got string "fixed"');
  });

  it('compares distributions by type, bounds, log, step and choices in order; describes them; tells which values they hold', () => {
    const lr = askedFloat('lr', 1e-5, 0.1, { log: true });
    expect(sameDistribution(lr, { ...lr })).toBe(true);
    expect(sameDistribution(lr, { ...lr, low: 1e-4 })).toBe(false);
    expect(sameDistribution(lr, { ...lr, log: false })).toBe(false);
    expect(sameDistribution(lr, { ...lr, type: 'int', step: 1 })).toBe(false);
    expect(sameDistribution(askedInt('u', 1, 9), askedInt('u', 1, 9, { step: 2 }))).toBe(false);
    // What a space file adds for one strategy, and when:, take no part.
    expect(sameDistribution({ ...askedInt('u', 1, 9), values: [1, 9], when: {} }, askedInt('u', 1, 9))).toBe(true);
    expect(sameDistribution(askedCategorical('a', ['x', 'y']), askedCategorical('a', ['y', 'x']))).toBe(false);
    expect(sameDistribution({ type: 'fixed', value: 3 }, { type: 'fixed', value: 3 })).toBe(true);

    expect(describeDistribution(lr)).toBe('float in [1e-5, 0.1], log');
    expect(describeDistribution(askedFloat('d', 0, 0.5, { step: 0.1 }))).toBe('float in [0, 0.5], step 0.1');
    expect(describeDistribution(askedInt('u', 1, 9))).toBe('int in [1, 9]');
    expect(describeDistribution(askedInt('u', 1, 9, { step: 2 }))).toBe('int in [1, 9], step 2');
    expect(describeDistribution(askedCategorical('a', ['x', 2, null]))).toBe('one of ["x", 2, null]');
    expect(describeDistribution({ type: 'fixed', value: 'adam' })).toBe('fixed at "adam"');

    expect(fitsDistribution(5, askedInt('u', 1, 9, { step: 2 }))).toBe(true);
    expect(fitsDistribution(4, askedInt('u', 1, 9, { step: 2 }))).toBe(false);
    expect(fitsDistribution(2.5, askedInt('u', 1, 9))).toBe(false);
    expect(fitsDistribution(0.3, askedFloat('d', 0, 0.5, { step: 0.1 }))).toBe(true);
    expect(fitsDistribution('5', askedFloat('d', 0, 9))).toBe(false);
    expect(fitsDistribution(null, askedCategorical('a', ['x', null]))).toBe(true);

    expect(singleValue(askedFloat('x', 2, 2))).toBe(2);
    expect(singleValue(askedCategorical('x', [false]))).toBe(false);
    expect(singleValue(askedInt('x', 2, 3))).toBeUndefined();
  });
});
