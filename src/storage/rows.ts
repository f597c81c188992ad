import { TRIAL_STATES, type TrialState } from '../trial-state.js';
import type { Direction } from '../space/types.js';
import { decodeMetrics, decodeParams } from './sqlite/metrics-codec.js';
import type { StudyRecord, TrialAttrs, TrialRecord } from './storage.js';

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
  started_at: number | null; ended_at: number | null; round: number | null; seed: number | null; owner: string | null;
}

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
    startedAt: row.started_at, endedAt: row.ended_at, round: row.round, seed: row.seed, owner: row.owner, sampleIndex: row.sample_index,
  };
}

export function zeroCounts(): Record<TrialState, number> {
  return Object.fromEntries(TRIAL_STATES.map((state) => [state, 0])) as Record<TrialState, number>;
}
