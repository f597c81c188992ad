import type Database from 'better-sqlite3';
import type { TrialState } from '../../trial-state.js';
import type { RunningTrialRow } from '../recovery.js';
import type { StepRow, StudyRow, TrialRow } from '../rows.js';
import { prepareModelStatements } from './trial-models.js';
import { fromStates, transitionUpdate, type ClaimRow } from '../transition-sql.js';

interface CountRow { study_id: number; state: TrialState; n: number }

/** A prepared statement whose rows are R (an interface, so declaration files can name it). */
export interface Prepared<R> extends Database.Statement<unknown[], R> {}

/**
 * Every statement of SQLite storage, prepared once per connection; user values are always
 * bound, never spliced. State changes come from the transition table (transitionUpdate), so
 * their allowed from-states and cleared columns are the ones PostgreSQL uses too.
 */
export function prepareStatements(db: Database.Database) {
  const p = <R = unknown>(source: string): Prepared<R> => db.prepare<unknown[], R>(source);
  return {
    insertStudy: p<StudyRow>(`INSERT INTO studies (name, direction, metric, seed, space_json, space_file, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`),
    studyByName: p<StudyRow>('SELECT * FROM studies WHERE name = ?'),
    allStudies: p<StudyRow>('SELECT * FROM studies ORDER BY id'),
    allCounts: p<CountRow>('SELECT study_id, state, COUNT(*) AS n FROM trials GROUP BY study_id, state'),
    counts: p<CountRow>('SELECT study_id, state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state'),
    bestMax: p<{ best: number | null }>("SELECT MAX(value) AS best FROM trials WHERE study_id = ? AND state = 'complete'"),
    bestMin: p<{ best: number | null }>("SELECT MIN(value) AS best FROM trials WHERE study_id = ? AND state = 'complete'"),
    // Sub-selects so SQLite answers MAX from the unique indexes instead of scanning the study.
    nextNumber: p<{ n: number }>('SELECT COALESCE((SELECT MAX(number) FROM trials WHERE study_id = ?) + 1, 0) AS n'),
    nextSample: p<{ n: number }>('SELECT COALESCE((SELECT MAX(sample_index) FROM trials WHERE study_id = ?) + 1, 0) AS n'),
    insertTrial: p<{ id: number }>(`INSERT INTO trials (study_id, number, sample_index, state, params_json, started_at, owner, claim_token)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    // An enqueued trial: its params as given, kept apart too (a release goes back to them).
    insertQueued: p<TrialRow>(`INSERT INTO trials (study_id, number, state, params_json, enqueued_params_json)
      VALUES (@study, @number, 'queued', @params, @params) RETURNING *`),
    oldestQueued: p<TrialRow>("SELECT * FROM trials WHERE study_id = ? AND state = 'queued' ORDER BY number LIMIT 1"),
    start: p(transitionUpdate('start', 'id = @id', { owner: '@owner', token: '@token', startedAt: '@now' })),
    release: p(transitionUpdate('release', 'id = @id', {}, { token: '@token' })),
    // Recovery's release: the takeover of a trial whose run stopped beating, whatever its claim.
    requeue: p(transitionUpdate('release', 'id = ?', {}, 'takeover')),
    deleteSteps: p('DELETE FROM trial_steps WHERE trial_id = ?'),
    importTrial: p<{ id: number }>(`INSERT INTO trials (study_id, number, sample_index, state, params_json, value, metrics_json,
      attrs_json, error, started_at, ended_at, sampler_state, seed, owner) VALUES (@study, @number, @sampleIndex, @state, @params, @value,
      @metrics, @attrs, @error, @startedAt, @endedAt, @samplerState, @seed, @owner) RETURNING id`),
    heartbeat: p(transitionUpdate('beat', 'owner = @owner', { heartbeatAt: '@now' })),
    runningOwners: p<{ owner: string | null }>("SELECT DISTINCT owner FROM trials WHERE study_id = ? AND state = 'running'"),
    // The trials a release could take back, i.e. in one of its from-states.
    running: p<RunningTrialRow>(`SELECT id, number, owner, @now - COALESCE(heartbeat_at, started_at) AS silent_ms
      FROM trials WHERE study_id = @study AND ${fromStates('release')} ORDER BY number`),
    held: p<{ id: number }>('SELECT id FROM trials WHERE id = ? AND claim_token = ?'),
    runningOf: p<{ id: number }>(`SELECT id FROM trials WHERE owner = ? AND ${fromStates('release')}`),
    setParams: p(transitionUpdate('sample', 'id = @id', {
      params: '@params', startedAt: '@now',
      samplerState: 'CASE WHEN @setState THEN @samplerState ELSE sampler_state END', seed: 'CASE WHEN @setSeed THEN @seed ELSE seed END',
    }, { token: '@token' })),
    // What adding asked params reads first: the claim's check, and the params to add to.
    claimAndParams: p<ClaimRow & { params_json: string }>('SELECT number, state, owner, claim_token, params_json FROM trials WHERE id = ?'),
    addParams: p(transitionUpdate('suggest', 'id = @id', { params: '@params' }, { token: '@token' })),
    finish: p(transitionUpdate('finish', 'id = @id', {
      state: '@state', value: '@value', metrics: '@metrics', attrs: '@attrs', error: '@error', endedAt: '@now',
    }, { token: '@token' })),
    claimOf: p<ClaimRow>('SELECT number, state, owner, claim_token FROM trials WHERE id = ?'),
    deleteStep: p('DELETE FROM trial_steps WHERE trial_id = ? AND step = ?'),
    insertStep: p('INSERT INTO trial_steps (trial_id, step, name, value) VALUES (?, ?, ?, ?)'),
    measurement: p<{ value_json: string; measured_at: number }>('SELECT value_json, measured_at FROM measurements WHERE key = ?'),
    putMeasurement: p(`INSERT INTO measurements (key, value_json, measured_at) VALUES (?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, measured_at = excluded.measured_at`),
    trialByNumber: p<TrialRow>('SELECT * FROM trials WHERE study_id = ? AND number = ?'),
    steps: p<StepRow>('SELECT step, name, value FROM trial_steps WHERE trial_id = ? ORDER BY step, name'),
    stepCount: p<{ n: number }>('SELECT COUNT(DISTINCT step) AS n FROM trial_steps WHERE trial_id = ?'),
    // Filters bound as values (a JSON array of states), so one prepared statement serves every filter.
    listTrials: p<TrialRow>(`SELECT * FROM trials WHERE study_id = @study
      AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
      AND (@above IS NULL OR number > @above OR number IN (SELECT value FROM json_each(@among)))
      ORDER BY number`),
    topMax: p<TrialRow>(`SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NOT NULL
      ORDER BY value DESC, number LIMIT ?`),
    topMin: p<TrialRow>(`SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NOT NULL
      ORDER BY value ASC, number LIMIT ?`),
    topNull: p<TrialRow>('SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NULL ORDER BY number LIMIT ?'),
    stepValues: p<{ number: number; state: TrialState; value: number | null }>(`SELECT t.number, t.state, s.value
      FROM trials t JOIN trial_steps s ON s.trial_id = t.id AND s.step = ? AND s.name = ?
      WHERE t.study_id = ? ORDER BY t.number`),
    ...prepareModelStatements(db),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
