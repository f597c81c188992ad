import type { Rng } from '../random/rng.js';
import type { IntParam, FloatParam, ParamSpec, ParamValue } from './types.js';

export function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng();
}

/** 10 ** U(log10 low, log10 high): every decade gets the same share of draws. */
export function logUniform(rng: Rng, low: number, high: number): number {
  return 10 ** uniform(rng, Math.log10(low), Math.log10(high));
}

/** Snaps `x` to low + k * step, staying within [low, high]. */
export function snapToStep(x: number, low: number, high: number, step: number): number {
  const k = Math.round((x - low) / step);
  const maxK = Math.floor((high - low) / step + 1e-9);
  const snapped = low + Math.min(Math.max(k, 0), maxK) * step;
  // Keep decimal steps readable (0.1 * 3 = 0.30000000000000004).
  return Number(snapped.toPrecision(12));
}

/** Whether `x` is low + k·step for an integer k, up to the rounding of decimal steps (0.1 · 3). */
export function onLattice(x: number, low: number, step: number): boolean {
  const k = (x - low) / step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k));
}

export function sampleFloat(rng: Rng, spec: FloatParam): number {
  const x = spec.log ? logUniform(rng, spec.low, spec.high) : uniform(rng, spec.low, spec.high);
  return spec.step !== undefined ? snapToStep(x, spec.low, spec.high, spec.step) : x;
}

/** Each integer (on the step lattice) is equally likely; log ints are log-uniform over [low - 0.5, high + 0.5]. */
export function sampleInt(rng: Rng, spec: IntParam): number {
  if (spec.log) {
    const x = logUniform(rng, Math.max(spec.low - 0.5, spec.low / 2), spec.high + 0.5);
    return Math.min(Math.max(Math.round(x), spec.low), spec.high);
  }
  const count = Math.floor((spec.high - spec.low) / spec.step) + 1;
  return spec.low + Math.min(Math.floor(rng() * count), count - 1) * spec.step;
}

export function sampleChoice<T>(rng: Rng, choices: readonly T[]): T {
  return choices[Math.min(Math.floor(rng() * choices.length), choices.length - 1)] as T;
}

export function sampleParam(rng: Rng, spec: ParamSpec): ParamValue {
  switch (spec.type) {
    case 'float':
      return sampleFloat(rng, spec);
    case 'int':
      return sampleInt(rng, spec);
    case 'categorical':
      return sampleChoice(rng, spec.choices);
    case 'fixed':
      return spec.value;
  }
}

/** `count` points from low to high inclusive, evenly spaced (in log space when `log`). */
export function linspace(low: number, high: number, count: number, log: boolean): number[] {
  if (count === 1) return [log ? Math.sqrt(low * high) : (low + high) / 2];
  const a = log ? Math.log10(low) : low;
  const b = log ? Math.log10(high) : high;
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = a + ((b - a) * i) / (count - 1);
    points.push(Number((log ? 10 ** t : t).toPrecision(12)));
  }
  return points;
}

/**
 * The points a grid search visits for one param, in order, without duplicates.
 * Numeric params use `values`, else `grid: N` points, else every step from low to high
 * (ints default to step 1). Returns null when a float has none of these: the space validator
 * reports that as an error.
 */
export function gridValues(spec: ParamSpec): ParamValue[] | null {
  switch (spec.type) {
    case 'fixed':
      return [spec.value];
    case 'categorical':
      return [...spec.choices];
    case 'float':
    case 'int': {
      if (spec.values !== undefined) return dedupe(spec.values);
      if (spec.grid !== undefined) {
        const points = linspace(spec.low, spec.high, spec.grid, spec.log);
        return dedupe(spec.type === 'int' ? points.map((p) => Math.round(p)) : points);
      }
      if (spec.step !== undefined) {
        const count = Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
        // Large counts are left to the caller's size check rather than materialised here.
        if (count > 1_000_000) return null;
        return Array.from({ length: count }, (_, k) => Number((spec.low + k * spec.step!).toPrecision(12)));
      }
      return null;
    }
  }
}

/** The number of grid points of one param without building them (Infinity for a float with no grid). */
export function gridSize(spec: ParamSpec): number {
  switch (spec.type) {
    case 'fixed':
      return 1;
    case 'categorical':
      return spec.choices.length;
    case 'float':
    case 'int':
      if (spec.values !== undefined) return new Set(spec.values).size;
      if (spec.grid !== undefined) return gridValues(spec)!.length;
      if (spec.step !== undefined) return Math.floor((spec.high - spec.low) / spec.step + 1e-9) + 1;
      return Infinity;
  }
}

function dedupe<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
