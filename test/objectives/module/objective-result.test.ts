import { describe, expect, it } from 'vitest';
import { checkMetrics } from '../../../src/objectives/module/objective-result.js';

describe('checkMetrics', () => {
  it('keeps every named number, a metric named __proto__ included, and refuses non-numbers', () => {
    const metrics = checkMetrics(JSON.parse('{"__proto__": 0.5, "val_accuracy": 0.8}') as unknown);
    expect(typeof metrics).toBe('object');
    expect(Object.keys(metrics as object).sort()).toEqual(['__proto__', 'val_accuracy']);
    expect(Object.getPrototypeOf(metrics)).toBe(Object.prototype);
    expect(checkMetrics({ a: 'high' })).toBe('metric "a" is "high", not a number');
    expect(checkMetrics([1])).toMatch(/^expected an object of numbers/);
  });
});
