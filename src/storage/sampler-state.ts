import { HpsearchError } from '../errors.js';
import type { SamplerState } from '../samplers/sampler.js';
import { strictJson } from './json-text.js';
import type { TrialFilter } from './storage.js';

/**
 * The `sampler_state` column: a sampler's facts about a trial as JSON text, `{}` when there are
 * none. Storage never looks inside except to filter (`TrialFilter.samplerState`).
 */

export const EMPTY_SAMPLER_STATE = '{}';

/**
 * JSON text of a sampler state; E_USAGE for what JSON would not give back as it was (NaN,
 * ±Infinity, undefined, functions, or anything but a plain object at the top).
 */
export function encodeSamplerState(state: SamplerState): string {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new HpsearchError('E_USAGE', `a sampler state must be an object of JSON values, got ${Array.isArray(state) ? 'an array' : String(state)}`);
  }
  return strictJson(state, 'sampler state');
}

export function decodeSamplerState(text: string): SamplerState {
  return JSON.parse(text) as SamplerState;
}

/** Whether a trial passes the filter's sampler-state keys (all of them, by strict equality). */
export function matchesSamplerState(state: SamplerState, filter: TrialFilter['samplerState']): boolean {
  if (filter === undefined) return true;
  return Object.entries(filter).every(([key, value]) => Object.hasOwn(state, key) && state[key] === value);
}
