import { describe, expect, it } from 'vitest';
import {
  finiteOrNull,
  formatDuration,
  formatNumber,
  formatParamValue,
  isoOrNull,
} from '../../src/format/numbers.js';

describe('formatNumber', () => {
  it.each([
    [null, '-'],
    [Number.NaN, 'NaN'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [0, '0'],
    [-0, '0'],
    [42, '42'],
    [-7, '-7'],
    [1_200_000, '1200000'],
    [0.83, '0.83'],
    [0.8300001, '0.83'],
    [0.7625, '0.7625'],
    [0.76254, '0.7625'],
    [0.1 + 0.2, '0.3'],
    [-0.5, '-0.5'],
    [0.0092, '0.0092'],
    [0.001, '0.001'],
    [12.5, '12.5'],
    [12345.6, '12346'],
    [0.00099996, '1e-3'],
    [0.0009999, '9.999e-4'],
    [3.86e-7, '3.86e-7'],
    [-3.86e-7, '-3.86e-7'],
    [1234567.8, '1.235e6'],
    [99999.7, '1e5'],
    [1e21, '1e21'],
  ])('%s → %s', (x, expected) => {
    expect(formatNumber(x)).toBe(expected);
  });

  it('honours digits', () => {
    expect(formatNumber(0.123456, 2)).toBe('0.12');
    expect(formatNumber(0.123456, 6)).toBe('0.123456');
    expect(formatNumber(3.86e-7, 2)).toBe('3.9e-7');
    expect(formatNumber(9.2e-3 * 1e-3, 1)).toBe('9e-6');
  });
});

describe('formatParamValue', () => {
  it.each([
    [0.0092, '9.2e-3'],
    [3.86e-7, '3.9e-7'],
    [0.001, '1e-3'],
    [-0.0092, '-9.2e-3'],
    [0.0123, '0.0123'],
    [0.5, '0.5'],
    [128, '128'],
    [0, '0'],
    ['adam', 'adam'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
  ])('%s → %s', (v, expected) => {
    expect(formatParamValue(v)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [null, '-'],
    [Number.NaN, '-'],
    [0, '0ms'],
    [850, '850ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [1000, '1.0s'],
    [12_345, '12.3s'],
    [59_940, '59.9s'],
    [59_960, '1m00s'],
    [245_000, '4m05s'],
    [3_599_400, '59m59s'],
    [3_599_600, '1h00m'],
    [3_720_000, '1h02m'],
    [-850, '-850ms'],
  ])('%s → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('JSON helpers', () => {
  it('finiteOrNull drops what JSON cannot carry', () => {
    expect([0.5, null, Number.NaN, Infinity, -Infinity].map(finiteOrNull)).toEqual([
      0.5,
      null,
      null,
      null,
      null,
    ]);
  });

  it('isoOrNull', () => {
    expect(isoOrNull(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02T03:04:05.006Z');
    expect(isoOrNull(null)).toBeNull();
  });
});
