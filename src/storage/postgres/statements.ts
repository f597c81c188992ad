import { fromStates, transitionUpdate } from '../transition-sql.js';

/**
 * The server's clock in ms since the epoch: every time a trial's life is judged by (start, beat,
 * end) is written by it, so recovery compares times of one clock, never the clocks of two hosts.
 */
const SERVER_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** The columns the leaderboard reads of a trial. */
const BOARD_COLUMNS = 'id, number, state, value, params_json, started_at, ended_at, sampler_state, error, attrs_json';

/**
 * Every statement of PostgreSQL storage; user values are always bound ($1, $2, ...), never
 * spliced. State changes come from the transition table (transitionUpdate), so their allowed
 * from-states and cleared columns are the ones SQLite uses too.
 */
export const SQL = {
  insertStudy: `INSERT INTO studies (name, direction, metric, seed, space_json, space_file, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
  studyByName: 'SELECT * FROM studies WHERE name = $1',
  studiesWithBest: `SELECT s.*, CASE WHEN s.direction = 'maximize'
      THEN (SELECT MAX(t.value) FROM trials t WHERE t.study_id = s.id AND t.state = 'complete')
      ELSE (SELECT MIN(t.value) FROM trials t WHERE t.study_id = s.id AND t.state = 'complete') END AS best
    FROM studies s ORDER BY s.id`,
  allCounts: 'SELECT study_id, state, COUNT(*) AS n FROM trials GROUP BY study_id, state',
  counts: 'SELECT state, COUNT(*) AS n FROM trials WHERE study_id = $1 GROUP BY state',
  // Serialises the claims and enqueues of one study (see claimTrial). NO KEY UPDATE, the lock
  // an UPDATE of non-key columns takes: it does not block other transactions' foreign-key
  // checks against the study row, only other lockers of this study.
  lockStudy: 'SELECT id FROM studies WHERE id = $1 FOR NO KEY UPDATE',
  nextNumbers: `SELECT COALESCE(MAX(number) + 1, 0) AS number, COALESCE(MAX(sample_index) + 1, 0) AS sample_index
    FROM trials WHERE study_id = $1`,
  // $6: whether it starts now (a claim) or waits in the queue.
  insertTrial: `INSERT INTO trials (study_id, number, sample_index, state, params_json, started_at, owner, claim_token)
    VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN ${SERVER_NOW} END, $7, $8) RETURNING *`,
  // An enqueued trial: its params as given, kept apart too (a release goes back to them).
  insertQueued: `INSERT INTO trials (study_id, number, state, params_json, enqueued_params_json)
    VALUES ($1, $2, 'queued', $3, $3) RETURNING *`,
  oldestQueued: "SELECT * FROM trials WHERE study_id = $1 AND state = 'queued' ORDER BY number LIMIT 1",
  start: transitionUpdate('start', 'id = $1', { owner: '$2', token: '$3', startedAt: SERVER_NOW }),
  release: transitionUpdate('release', 'id = $1', {}, { token: '$2::text' }),
  // Recovery's release: the takeover of trials whose run stopped beating, whatever their claims.
  requeue: `${transitionUpdate('release', 'id = ANY($1::bigint[])', {}, 'takeover')} RETURNING id`,
  releaseOwner: `${transitionUpdate('release', 'owner = $1', {}, 'takeover')} RETURNING id`,
  deleteSteps: 'DELETE FROM trial_steps WHERE trial_id = ANY($1::bigint[])',
  importTrial: `INSERT INTO trials (study_id, number, sample_index, state, params_json, value, metrics_json,
      attrs_json, error, started_at, ended_at, sampler_state, seed, owner)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
  heartbeat: transitionUpdate('beat', 'owner = $1', { heartbeatAt: SERVER_NOW }),
  held: `SELECT t.id, t.claim_token FROM trials t JOIN unnest($1::bigint[], $2::text[]) AS l(id, token)
    ON t.id = l.id AND t.claim_token = l.token`,
  runningOwners: "SELECT DISTINCT owner FROM trials WHERE study_id = $1 AND state = 'running' AND owner IS NOT NULL ORDER BY owner",
  // The trials a release could take back. Locked, so a heartbeat or finish arriving meanwhile
  // waits, and is not lost under the requeue.
  lockRunning: `SELECT id, number, owner, ${SERVER_NOW} - COALESCE(heartbeat_at, started_at) AS silent_ms
    FROM trials WHERE study_id = $1 AND ${fromStates('release')} ORDER BY number FOR UPDATE`,
  setParams: transitionUpdate('sample', 'id = $1', {
    params: '$2', startedAt: SERVER_NOW,
    samplerState: 'CASE WHEN $3::boolean THEN $4::text ELSE sampler_state END',
    seed: 'CASE WHEN $5::boolean THEN $6::bigint ELSE seed END',
  }, { token: '$7::text' }),
  // Adding asked params reads the claim and the params it adds to, locked until it has written.
  lockClaimAndParams: 'SELECT number, state, owner, claim_token, params_json FROM trials WHERE id = $1 FOR UPDATE',
  addParams: transitionUpdate('suggest', 'id = $1', { params: '$2' }, { token: '$3::text' }),
  finish: transitionUpdate('finish', 'id = $1', {
    state: '$2', value: '$3', metrics: '$4', attrs: '$5', error: '$6', endedAt: SERVER_NOW,
  }, { token: '$7::text' }),
  claimOf: 'SELECT number, state, owner, claim_token FROM trials WHERE id = $1',
  // Shared lock: a release or finish waits until this step is in, so it never outlives a requeue.
  lockClaimOf: 'SELECT number, state, owner, claim_token FROM trials WHERE id = $1 FOR SHARE',
  deleteStep: 'DELETE FROM trial_steps WHERE trial_id = $1 AND step = $2',
  insertSteps: `INSERT INTO trial_steps (trial_id, step, name, value)
    SELECT $1, $2, m.name, m.value FROM unnest($3::text[], $4::double precision[]) AS m(name, value)`,
  measurement: 'SELECT value_json, measured_at FROM measurements WHERE key = $1',
  putMeasurement: `INSERT INTO measurements (key, value_json, measured_at) VALUES ($1, $2, ${SERVER_NOW})
    ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, measured_at = excluded.measured_at`,
  trialByNumber: 'SELECT * FROM trials WHERE study_id = $1 AND number = $2',
  steps: 'SELECT step, name, value FROM trial_steps WHERE trial_id = $1 ORDER BY step, name',
  listTrials: `SELECT * FROM trials WHERE study_id = $1
      AND ($2::text[] IS NULL OR state = ANY($2::text[]))
      AND ($3::bigint IS NULL OR number > $3::bigint OR number = ANY($4::bigint[]))
    ORDER BY number`,
  // Values are never NaN here (finishTrial stores NaN as NULL), so the order is the plain one.
  // Steps are counted for the rows kept only, after the limit.
  topMax: `SELECT b.*, (SELECT COUNT(DISTINCT s.step) FROM trial_steps s WHERE s.trial_id = b.id) AS steps FROM (
      SELECT ${BOARD_COLUMNS} FROM trials
      WHERE study_id = $1 AND state = ANY($2::text[]) ORDER BY value DESC NULLS LAST, number LIMIT $3
    ) b ORDER BY b.value DESC NULLS LAST, b.number`,
  topMin: `SELECT b.*, (SELECT COUNT(DISTINCT s.step) FROM trial_steps s WHERE s.trial_id = b.id) AS steps FROM (
      SELECT ${BOARD_COLUMNS} FROM trials
      WHERE study_id = $1 AND state = ANY($2::text[]) ORDER BY value ASC NULLS LAST, number LIMIT $3
    ) b ORDER BY b.value ASC NULLS LAST, b.number`,
  stepValues: `SELECT t.number, t.state, s.value
    FROM trials t JOIN trial_steps s ON s.trial_id = t.id AND s.step = $1 AND s.name = $2
    WHERE t.study_id = $3 ORDER BY t.number`,
} as const;
