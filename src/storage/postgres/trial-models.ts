/**
 * The statements of kept models (see ../trial-models.ts), PostgreSQL's; user values always bound.
 * Pruning deletes the models of the study's trials that are not among its best $2 complete trials
 * (ties: lower number first; no value last, as the leaderboard ranks them); written out for each
 * direction, so no SQL is spliced.
 */

export const MODEL_SQL = {
  putModel: `INSERT INTO trial_models (trial_id, model_json, weights, input_json, step, bytes, saved_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (trial_id) DO UPDATE SET model_json = excluded.model_json, weights = excluded.weights,
      input_json = excluded.input_json, step = excluded.step, bytes = excluded.bytes, saved_at = excluded.saved_at`,
  pruneMax: `DELETE FROM trial_models
    WHERE trial_id IN (SELECT id FROM trials WHERE study_id = $1)
      AND trial_id NOT IN (SELECT id FROM trials WHERE study_id = $1 AND state = 'complete'
        ORDER BY value DESC NULLS LAST, number LIMIT $2)`,
  pruneMin: `DELETE FROM trial_models
    WHERE trial_id IN (SELECT id FROM trials WHERE study_id = $1)
      AND trial_id NOT IN (SELECT id FROM trials WHERE study_id = $1 AND state = 'complete'
        ORDER BY value ASC NULLS LAST, number LIMIT $2)`,
  // The trial's claim, and its study's row locked as claims lock it: keeping models is serial per study.
  lockTrialStudy: `SELECT t.study_id, t.number, t.state, t.owner, t.claim_token FROM trials t
    JOIN studies s ON s.id = t.study_id WHERE t.id = $1 FOR NO KEY UPDATE OF s`,
  hasModel: 'SELECT 1 FROM trial_models WHERE trial_id = $1',
  modelByNumber: `SELECT m.model_json, m.weights, m.input_json, m.step
    FROM trial_models m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = $1 AND t.number = $2`,
  modelInfos: `SELECT t.number, m.bytes, m.step, m.saved_at
    FROM trial_models m JOIN trials t ON t.id = m.trial_id WHERE t.study_id = $1 ORDER BY t.number`,
  modelTotals: `SELECT t.study_id, COUNT(*) AS n, SUM(m.bytes)::bigint AS bytes
    FROM trial_models m JOIN trials t ON t.id = m.trial_id GROUP BY t.study_id`,
  trialIdByNumber: 'SELECT id FROM trials WHERE study_id = $1 AND number = $2',
} as const;
