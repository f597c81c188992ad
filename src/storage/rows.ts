import { TRIAL_STATES, type TrialState } from '../trial-state.js';
import type { Direction } from '../space/types.js';
import { decodeMetrics, decodeParams, decodeStepValue } from './metrics-codec.js';
import { decodeSamplerState } from './sampler-state.js';
import type { LeaderboardRow, StepRecord, StudyRecord, TrialAttrs, TrialRecord } from './storage.js';

/**
 * The rows both SQL backends store (the same columns in SQLite and PostgreSQL), and how they
 * become the contract's records.
 */
export interface StudyRow {
  id: number; name: string; direction: Direction; metric: string; seed: number;
  space_json: string; space_file: string | null; created_at: number;
}

export interface TrialRow {
  id: number; study_id: number; number: number; sample_index: number | null; state: TrialState;
  params_json: string; value: number | null; metrics_json: string | null; attrs_json: string | null; error: string | null;
  started_at: number | null; ended_at: number | null; sampler_state: string; seed: number | null; owner: string | null;
}

/** A trial_steps row: one metric at one step; value NULL is a NaN SQLite could not store. */
export interface StepRow { step: number; name: string; value: number | null }

/** What the leaderboard reads of a trial, with its step count. */
export type BoardRow = Pick<TrialRow, 'number' | 'state' | 'value' | 'params_json' | 'started_at' | 'ended_at' | 'sampler_state' | 'error' | 'attrs_json'>;

export function studyFromRow(row: StudyRow): StudyRecord {
  return {
    id: row.id, name: row.name, direction: row.direction, metric: row.metric, seed: row.seed,
    space: JSON.parse(row.space_json) as unknown, spaceFile: row.space_file, createdAt: row.created_at,
  };
}

export function decodeAttrs(text: string | null): TrialAttrs | null {
  return text === null ? null : (JSON.parse(text) as TrialAttrs);
}

export function trialFromRow(row: TrialRow): TrialRecord {
  return {
    id: row.id, studyId: row.study_id, number: row.number, state: row.state, params: decodeParams(row.params_json),
    value: row.value, metrics: decodeMetrics(row.metrics_json), attrs: decodeAttrs(row.attrs_json), error: row.error,
    startedAt: row.started_at, endedAt: row.ended_at, samplerState: decodeSamplerState(row.sampler_state),
    seed: row.seed, owner: row.owner, sampleIndex: row.sample_index,
  };
}

/** Step rows ordered by step, then name, grouped into one record per step. */
export function stepsFromRows(rows: readonly StepRow[]): StepRecord[] {
  const steps: StepRecord[] = [];
  for (const { step, name, value } of rows) {
    if (steps.at(-1)?.step !== step) steps.push({ step, values: {} });
    // defineProperty, not `=`: a metric named __proto__ must stay a metric.
    Object.defineProperty(steps.at(-1)!.values, name, { value: decodeStepValue(value), enumerable: true, writable: true, configurable: true });
  }
  return steps;
}

export function leaderboardRowFrom(row: BoardRow, rank: number, steps: number): LeaderboardRow {
  return {
    rank, number: row.number, state: row.state, value: row.value, params: decodeParams(row.params_json), steps,
    durationMs: row.started_at !== null && row.ended_at !== null ? row.ended_at - row.started_at : null,
    samplerState: decodeSamplerState(row.sampler_state), error: row.error, attrs: decodeAttrs(row.attrs_json),
  };
}

export function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((state) => [state, 0])) as Record<TrialState, number>;
}
