import type { Metrics } from '../../space/types.js';

export type CheckedResult = { ok: true; value: number; metrics: Metrics | null } | { ok: false; error: string };

/** Checks an objective's return value; the reason names what was returned, so users can fix it. */
export function checkObjectiveResult(result: unknown): CheckedResult {
  if (typeof result === 'number') return checkValue(result, null);
  if (result !== null && typeof result === 'object' && 'value' in result) {
    const { value, metrics } = result as { value: unknown; metrics?: unknown };
    if (typeof value !== 'number') return { ok: false, error: `objective returned { value: ${describe(value)} }; value must be a number` };
    if (metrics === undefined || metrics === null) return checkValue(value, null);
    const checked = checkMetrics(metrics);
    if (typeof checked === 'string') return { ok: false, error: `objective returned invalid metrics: ${checked}` };
    return checkValue(value, checked);
  }
  return { ok: false, error: `objective returned ${describe(result)}; return a number or { value, metrics }` };
}

function checkValue(value: number, metrics: Metrics | null): CheckedResult {
  if (!Number.isFinite(value)) return { ok: false, error: `objective returned ${value}` };
  return { ok: true, value, metrics };
}

/** Returns the metrics, or a reason they are not a `{ name: number }` object. */
export function checkMetrics(metrics: unknown): Metrics | string {
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) {
    return `expected an object of numbers, got ${describe(metrics)}`;
  }
  const out: Metrics = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') return `metric "${name}" is ${describe(value)}, not a number`;
    // defineProperty, not `=`: a metric named __proto__ must stay a metric.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function checkStep(step: unknown): string | null {
  return typeof step === 'number' && Number.isSafeInteger(step) && step >= 0
    ? null
    : `step must be a non-negative integer, got ${describe(step)}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : value === null ? 'null' : 'an object';
  return String(value);
}
