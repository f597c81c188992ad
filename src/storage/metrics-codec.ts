import type { Params, Metrics } from '../space/types.js';

/**
 * JSON has no NaN or ±Infinity (JSON.stringify silently writes `null`), yet a diverging
 * training run reports exactly those, and they must come back as they went in.
 *
 * - Metrics (`metrics_json`): every value is a number, so the strings "NaN", "Infinity" and
 *   "-Infinity" are unambiguous stand-ins.
 * - Params (`params_json`): a categorical choice may legitimately be the *string* "NaN", so a
 *   non-finite number is written as the object `{"$number":"NaN"}` instead; a param value is
 *   never an object, so that cannot collide either.
 * - Step values (`trial_steps.value`, a REAL column): SQLite stores ±Infinity as is but turns
 *   NaN into NULL, so NULL there reads back as NaN (a step value is never absent otherwise).
 */

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

function nonFiniteName(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

export function encodeMetrics(metrics: Metrics | null | undefined): string | null {
  if (metrics === null || metrics === undefined) return null;
  return JSON.stringify(metrics, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? nonFiniteName(value) : value,
  );
}

export function decodeMetrics(text: string | null): Metrics | null {
  if (text === null) return null;
  const raw = JSON.parse(text) as Record<string, unknown>;
  // fromEntries defines properties, so a metric named "__proto__" stays a metric.
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [name, typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value]! : (value as number)]),
  );
}

const NUMBER_TAG = '$number';

export function encodeParams(params: Params): string {
  return JSON.stringify(params, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { [NUMBER_TAG]: nonFiniteName(value) } : value,
  );
}

export function decodeParams(text: string): Params {
  return JSON.parse(text, (key: string, value: unknown) => {
    // Only a param's value can be a tag: the params object itself (key "") may well hold a
    // param named "$number" whose value is "NaN".
    if (key !== '' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      const tag = (value as Record<string, unknown>)[NUMBER_TAG];
      if (keys.length === 1 && keys[0] === NUMBER_TAG && typeof tag === 'string' && tag in NON_FINITE) return NON_FINITE[tag];
    }
    return value;
  }) as Params;
}

/** Reads a `trial_steps.value`: NULL is how SQLite stored a NaN. */
export function decodeStepValue(value: number | null): number {
  return value === null ? Number.NaN : value;
}
