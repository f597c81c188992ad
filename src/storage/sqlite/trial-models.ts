import type Database from 'better-sqlite3';
import type { TrialModelInfo, TrialModelRow } from '../trial-models.js';

export interface ModelInfoRow { number: number; bytes: number; step: number | null; saved_at: number }

/** A prepared statement whose rows are R (an interface, so declaration files can name it). */
export interface PreparedModelStatement<R> extends Database.Statement<unknown[], R> {}

/** The statements of kept models (see ../trial-models.ts), prepared on `db`. */
export function prepareModelStatements(db: Database.Database) {
  const p = <R = unknown>(source: string): PreparedModelStatement<R> => db.prepare<unknown[], R>(source);
  return {
    putModel: p(`INSERT INTO trial_models (trial_id, model_json, weights, input_json, step, bytes, saved_at)
      VALUES (@trial, @modelJson, @weights, @inputJson, @step, @bytes, @savedAt)
      ON CONFLICT (trial_id) DO UPDATE SET model_json = excluded.model_json, weights = excluded.weights,
        input_json = excluded.input_json, step = excluded.step, bytes = excluded.bytes, saved_at = excluded.saved_at`),
    // Models of the study's trials that are not among its best @limit complete trials (ties: lower
    // number first; no value last, as the leaderboard ranks them). LIMIT -1 keeps all. Written out
    // twice, for each direction, so no SQL is spliced.
    pruneModelsMax: p(`DELETE FROM trial_models
      WHERE trial_id IN (SELECT id FROM trials WHERE study_id = @study)
        AND trial_id NOT IN (SELECT id FROM trials WHERE study_id = @study AND state = 'complete'
          ORDER BY value IS NULL, value DESC, number LIMIT @limit)`),
    pruneModelsMin: p(`DELETE FROM trial_models
      WHERE trial_id IN (SELECT id FROM trials WHERE study_id = @study)
        AND trial_id NOT IN (SELECT id FROM trials WHERE study_id = @study AND state = 'complete'
          ORDER BY value IS NULL, value ASC, number LIMIT @limit)`),
    hasModel: p<{ one: number }>('SELECT 1 AS one FROM trial_models WHERE trial_id = ?'),
    modelByNumber: p<TrialModelRow>(`SELECT m.model_json, m.weights, m.input_json, m.step
      FROM trial_models m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = ? AND t.number = ?`),
    modelInfos: p<ModelInfoRow>(`SELECT t.number, m.bytes, m.step, m.saved_at
      FROM trial_models m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = ? ORDER BY t.number`),
    modelTotals: p<{ study_id: number; n: number; bytes: number }>(`SELECT t.study_id, COUNT(*) AS n, SUM(m.bytes) AS bytes
      FROM trial_models m JOIN trials t ON t.id = m.trial_id GROUP BY t.study_id`),
    studyOfTrial: p<{ study_id: number }>('SELECT study_id FROM trials WHERE id = ?'),
    trialIdByNumber: p<{ id: number }>('SELECT id FROM trials WHERE study_id = ? AND number = ?'),
  };
}

export function modelInfoFromRow(row: ModelInfoRow): TrialModelInfo {
  return { number: row.number, bytes: row.bytes, step: row.step, savedAt: row.saved_at };
}
