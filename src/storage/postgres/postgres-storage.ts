import type pg from 'pg';
import { HpsearchError } from '../../errors.js';
import type { Params, Metrics } from '../../space/types.js';
import { TRANSITIONS, type TransitionName, type TrialState } from '../../trial-state.js';
import { withAddedParams } from '../added-params.js';
import { staleReason, type RunningTrialRow } from '../recovery.js';
import { leaderboardRowFrom, stepsFromRows, studyFromRow, trialFromRow, zeroCounts, type BoardRow, type StepRow, type StudyRow, type TrialRow } from '../rows.js';
import { encodeSamplerState, matchesSamplerState } from '../sampler-state.js';
import { encodeMeasurement } from '../measurements.js';
import type { ClaimOptions, ClaimedTrial, RecoverOptions, RecoveredTrial, LeaderboardOptions, LeaderboardRow, NewStudy, StepValue, Storage, StudyRecord, StudySummary, TrialDetail, TrialFilter, TrialFinish, TrialLease, TrialParamsUpdate, TrialRecord, Measurement } from '../storage.js';
import { checkTrialAttrs } from '../trial-attrs.js';
import { checkFinishState, mayWrite, refusal, type ClaimRow } from '../transition-sql.js';
import { newClaimToken } from '../claims.js';
import { decodeParams, decodeStepValue, encodeMetrics, encodeParams } from '../metrics-codec.js';
import { POSTGRES_MIGRATIONS, migratePostgres, type PostgresMigration } from './migrations.js';
import { createPool } from './pool.js';
import { codeOf, isRetryable, parsePostgresUrl, toStorageError, type PostgresTarget } from './postgres-errors.js';
import { SQL } from './statements.js';
import { MODEL_SQL } from './trial-models.js';
import type { ModelArtifact } from '../model-artifact.js';
import { checkKeepable, encodeModel, modelFromRow, retentionLimit, type ModelRetention, type ModelTotals, type TrialModelInfo, type TrialModelRow } from '../trial-models.js';

export interface PostgresStorageOptions {
  /** The schema migrations to apply; tests pass custom lists. Defaults to POSTGRES_MIGRATIONS. */
  migrations?: readonly PostgresMigration[];
}

/** Attempts at a transaction PostgreSQL aborted as a deadlock or serialization failure. */
const ATTEMPTS = 5;

/**
 * Opens the hpsearch database at a `postgres://` or `postgresql://` URL, creating or upgrading its
 * schema (the database itself must exist). `location` is the URL without its password.
 */
export async function openPostgresStorage(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
  const target = parsePostgresUrl(url);
  const pool = createPool(url);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, target.location, options.migrations ?? POSTGRES_MIGRATIONS);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStorageError(error, target, 'opening');
  }
  return new PostgresStorage(pool, target);
}

/**
 * A trial's value for the `value` column: NaN is no value (the contract, and what SQLite's
 * driver does), and PostgreSQL would otherwise sort NaN above +Infinity on the leaderboard.
 */
function noNaN(value: number | null | undefined): number | null {
  return value === undefined || value === null || Number.isNaN(value) ? null : value;
}

const WRITE = 'BEGIN';
/** Several reads that must agree with each other: one snapshot. */
const READ = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

type Queryable = pg.Pool | pg.PoolClient;

/**
 * PostgreSQL storage, for studies shared by processes on several hosts. Each method is one
 * statement on the pool, or one transaction on a pooled connection; a transaction PostgreSQL
 * aborts as a deadlock or serialization failure is run again (it left nothing behind).
 *
 * Claims lock the study's row (`SELECT ... FOR NO KEY UPDATE`) rather than skipping locked
 * queued trials (`FOR UPDATE SKIP LOCKED`): a claim decides between the oldest queued trial and
 * a new one whose number, sample index and place in the budget all follow from the trials
 * already there, and SKIP LOCKED covers only the first. Under the study lock the whole decision
 * is serial per study, so numbers and sample indices stay dense and unique, no queued trial is
 * handed out twice, and maxTrials is exact, whatever the number of hosts. Claims are brief and
 * a trial runs for seconds at least, so the lock costs nothing noticeable; studies do not block
 * each other.
 */
export class PostgresStorage implements Storage {
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #target: PostgresTarget;
  #closed = false;

  constructor(pool: pg.Pool, target: PostgresTarget) {
    this.#pool = pool;
    this.#target = target;
    this.location = target.location;
  }

  /** Runs `fn`, again after a deadlock or serialization failure, reporting driver errors as E_STORAGE. */
  async #attempt<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HpsearchError('E_STORAGE', `${this.location} is closed`);
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (!isRetryable(error) || attempt >= ATTEMPTS) throw toStorageError(error, this.#target, doing);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /** One statement on any pooled connection. */
  async #query<R extends pg.QueryResultRow>(doing: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#attempt(doing, () => this.#pool.query<R>(text, values));
  }

  /** `fn` inside one transaction (`begin`: WRITE or READ) on one pooled connection. */
  async #transaction<T>(doing: string, begin: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#attempt(doing, async () => {
      const client = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        // A connection that could not even roll back is discarded, not handed to the next caller.
        client.release(broken);
      }
    });
  }

  /** Why a transition of a trial changed no row: it does not exist, its claim is another's, or its state does not allow it. */
  async #notWritable(transition: TransitionName, db: Queryable, lease: TrialLease): Promise<HpsearchError> {
    const found = (await db.query<ClaimRow>(SQL.claimOf, [lease.id])).rows[0];
    return refusal(transition, lease.id, found, lease.token, this.location);
  }

  /** The transition's step deletion, where the table says it deletes them. */
  async #afterTransition(transition: TransitionName, client: pg.PoolClient, ids: readonly number[]): Promise<void> {
    if (TRANSITIONS[transition].deletesSteps && ids.length > 0) await client.query(SQL.deleteSteps, [ids]);
  }

  async #lockStudy(client: pg.PoolClient, studyId: number): Promise<void> {
    const { rowCount } = await client.query(SQL.lockStudy, [studyId]);
    if (rowCount === 0) throw new HpsearchError('E_STUDY_NOT_FOUND', `no study with id ${studyId} in ${this.location}`);
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    return this.#transaction('creating a study', WRITE, async (client) => {
      try {
        const { rows } = await client.query<StudyRow>(SQL.insertStudy, [study.name, study.direction, study.metric, study.seed,
          JSON.stringify(study.space ?? null), study.spaceFile ?? null, study.createdAt ?? Date.now()]);
        const created = studyFromRow(rows[0]!);
        for (const [number, params] of (study.enqueue ?? []).entries()) {
          await client.query(SQL.insertQueued, [created.id, number, encodeParams(params)]);
        }
        return created;
      } catch (error) {
        if (codeOf(error) === '23505') {
          throw new HpsearchError('E_STUDY_EXISTS',
            `a study named "${study.name}" already exists in ${this.location}; pick another name or resume it`, { cause: error });
        }
        throw error;
      }
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const { rows } = await this.#query<StudyRow>('reading a study', SQL.studyByName, [name]);
    return rows[0] ? studyFromRow(rows[0]) : null;
  }

  async listStudies(): Promise<StudySummary[]> {
    return this.#transaction('listing studies', READ, async (client) => {
      const counts = new Map<number, Record<TrialState, number>>();
      for (const row of (await client.query<{ study_id: number; state: TrialState; n: number }>(SQL.allCounts)).rows) {
        const byState = counts.get(row.study_id) ?? zeroCounts();
        byState[row.state] = row.n;
        counts.set(row.study_id, byState);
      }
      const totals = (await client.query<{ study_id: number; n: number; bytes: number }>(MODEL_SQL.modelTotals)).rows;
      const models = new Map<number, ModelTotals>(totals.map((row) => [row.study_id, { count: row.n, bytes: row.bytes }]));
      const { rows } = await client.query<StudyRow & { best: number | null }>(SQL.studiesWithBest);
      return rows.map((row) => ({
        ...studyFromRow(row), counts: counts.get(row.id) ?? zeroCounts(), best: row.best, models: models.get(row.id) ?? { count: 0, bytes: 0 },
      }));
    });
  }

  async enqueueTrial(studyId: number, params: Params): Promise<TrialRecord> {
    return this.#transaction('queueing a trial', WRITE, async (client) => {
      await this.#lockStudy(client, studyId);
      const { number } = (await client.query<{ number: number }>(SQL.nextNumbers, [studyId])).rows[0]!;
      const { rows } = await client.query<TrialRow>(SQL.insertQueued, [studyId, number, encodeParams(params)]);
      return trialFromRow(rows[0]!);
    });
  }

  async claimTrial(studyId: number, options: ClaimOptions): Promise<ClaimedTrial | null> {
    return this.#transaction('claiming a trial', WRITE, async (client) => {
      await this.#lockStudy(client, studyId);
      const token = newClaimToken();
      // Under the study lock no other claim runs; the loop covers a queued trial finished by
      // hand (finishTrial takes queued trials too) between the read and the update.
      for (;;) {
        const queued = (await client.query<TrialRow>(SQL.oldestQueued, [studyId])).rows[0];
        if (!queued) break;
        if ((await client.query(SQL.start, [queued.id, options.owner, token])).rowCount === 0) continue;
        // A queued trial with a sample index was released before it ran: the sampler draws it again.
        const sampled = queued.sample_index !== null;
        return { id: queued.id, token, number: queued.number, params: sampled ? null : decodeParams(queued.params_json), sampleIndex: queued.sample_index };
      }
      // Numbers are dense (0..n-1, never deleted), so the next number is also the trial count.
      const next = (await client.query<{ number: number; sample_index: number }>(SQL.nextNumbers, [studyId])).rows[0]!;
      if (next.number >= options.maxTrials) return null;
      const { rows } = await client.query<TrialRow>(SQL.insertTrial,
        [studyId, next.number, next.sample_index, 'running', encodeParams({}), true, options.owner, token]);
      return { id: rows[0]!.id, token, number: next.number, params: null, sampleIndex: next.sample_index };
    });
  }

  async setTrialParams(lease: TrialLease, update: TrialParamsUpdate): Promise<void> {
    const { rowCount } = await this.#query('saving trial params', SQL.setParams, [
      lease.id, encodeParams(update.params),
      update.samplerState !== undefined, update.samplerState === undefined ? null : encodeSamplerState(update.samplerState),
      update.seed !== undefined, update.seed ?? null, lease.token,
    ]);
    if (rowCount === 0) throw await this.#attempt('saving trial params', () => this.#notWritable('sample', this.#pool, lease));
  }

  async addTrialParams(lease: TrialLease, params: Params): Promise<void> {
    await this.#transaction('saving asked params', WRITE, async (client) => {
      const row = (await client.query<ClaimRow & { params_json: string }>(SQL.lockClaimAndParams, [lease.id])).rows[0];
      if (!mayWrite('suggest', row, lease.token)) throw refusal('suggest', lease.id, row, lease.token, this.location);
      const merged = withAddedParams(row.number, decodeParams(row.params_json), params);
      if (merged === null) return;
      if ((await client.query(SQL.addParams, [lease.id, encodeParams(merged), lease.token])).rowCount === 0) throw await this.#notWritable('suggest', client, lease);
    });
  }

  async releaseTrial(lease: TrialLease): Promise<void> {
    await this.#transaction('releasing a trial', WRITE, async (client) => {
      if ((await client.query(SQL.release, [lease.id, lease.token])).rowCount === 0) throw await this.#notWritable('release', client, lease);
      await this.#afterTransition('release', client, [lease.id]);
    });
  }

  async heartbeat(owner: string): Promise<number> {
    return (await this.#query('recording a heartbeat', SQL.heartbeat, [owner])).rowCount ?? 0;
  }

  async heldTrials(leases: readonly TrialLease[]): Promise<number[]> {
    const named = leases.filter((lease) => lease.token !== null);
    if (named.length === 0) return [];
    const { rows } = await this.#query<{ id: number; claim_token: string }>('reading claims', SQL.held, [named.map((l) => l.id), named.map((l) => l.token)]);
    const held = new Set(rows.map((row) => `${row.id}:${row.claim_token}`));
    return named.filter((lease) => held.has(`${lease.id}:${lease.token}`)).map((lease) => lease.id);
  }

  async runningOwners(studyId: number): Promise<string[]> {
    const { rows } = await this.#query<{ owner: string }>('reading running trials', SQL.runningOwners, [studyId]);
    return rows.map((row) => row.owner);
  }

  async recoverStaleTrials(studyId: number, options: RecoverOptions): Promise<RecoveredTrial[]> {
    return this.#transaction('recovering stale trials', WRITE, async (client) => {
      const recovered: RecoveredTrial[] = [];
      const ids: number[] = [];
      for (const row of (await client.query<RunningTrialRow>(SQL.lockRunning, [studyId])).rows) {
        const reason = staleReason(row, options);
        if (reason === null) continue;
        ids.push(row.id);
        recovered.push({ number: row.number, owner: row.owner, reason });
      }
      if (ids.length > 0) {
        await client.query(SQL.requeue, [ids]);
        await this.#afterTransition('release', client, ids);
      }
      return recovered;
    });
  }

  async releaseTrialsOf(owner: string): Promise<number> {
    return this.#transaction('releasing running trials', WRITE, async (client) => {
      const ids = (await client.query<{ id: number }>(SQL.releaseOwner, [owner])).rows.map((row) => row.id);
      await this.#afterTransition('release', client, ids);
      return ids.length;
    });
  }

  async reportStep(lease: TrialLease, step: number, values: Metrics): Promise<void> {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new HpsearchError('E_USAGE', `step must be a non-negative integer, got ${step}`);
    }
    const entries = Object.entries(values);
    for (const [name, value] of entries) {
      if (typeof value !== 'number') throw new HpsearchError('E_USAGE', `metric "${name}" at step ${step} is not a number`);
    }
    await this.#transaction('reporting a step', WRITE, async (client) => {
      const { id, token } = lease;
      const claim = (await client.query<ClaimRow>(SQL.lockClaimOf, [id])).rows[0];
      if (!mayWrite('report', claim, token)) throw refusal('report', id, claim, token, this.location);
      await client.query(SQL.deleteStep, [id, step]);
      // double precision holds NaN and ±Infinity, sent as the texts 'NaN', 'Infinity', '-Infinity'.
      if (entries.length > 0) {
        await client.query(SQL.insertSteps, [id, step, entries.map(([name]) => name), entries.map(([, value]) => value)]);
      }
    });
  }

  async finishTrial(lease: TrialLease, result: TrialFinish): Promise<void> {
    checkFinishState(result.state);
    if (result.attrs) checkTrialAttrs(result.attrs);
    const { rowCount } = await this.#query('finishing a trial', SQL.finish, [lease.id, result.state, noNaN(result.value), encodeMetrics(result.metrics),
      result.attrs ? JSON.stringify(result.attrs) : null, result.error ?? null, lease.token]);
    if (rowCount === 0) throw await this.#attempt('finishing a trial', () => this.#notWritable('finish', this.#pool, lease));
  }

  async importTrial(studyId: number, trial: TrialDetail): Promise<void> {
    if (trial.attrs) checkTrialAttrs(trial.attrs);
    const samplerState = encodeSamplerState(trial.samplerState);
    await this.#transaction('importing a trial', WRITE, async (client) => {
      // Locked as claims lock it, so a claim running meanwhile cannot take the imported number.
      await this.#lockStudy(client, studyId);
      let id: number;
      try {
        id = (await client.query<{ id: number }>(SQL.importTrial, [
          studyId, trial.number, trial.sampleIndex, trial.state, encodeParams(trial.params), noNaN(trial.value), encodeMetrics(trial.metrics),
          trial.attrs ? JSON.stringify(trial.attrs) : null, trial.error, trial.startedAt, trial.endedAt, samplerState, trial.seed, trial.owner,
        ])).rows[0]!.id;
      } catch (error) {
        if (codeOf(error) === '23505') {
          throw new HpsearchError('E_USAGE', `the study already has a trial numbered ${trial.number} (or sample index ${trial.sampleIndex}); copy into a new study`, { cause: error });
        }
        throw error;
      }
      for (const { step, values } of trial.steps) {
        const entries = Object.entries(values);
        if (entries.length > 0) await client.query(SQL.insertSteps, [id, step, entries.map(([name]) => name), entries.map(([, value]) => value)]);
      }
    });
  }

  async getTrial(studyId: number, number: number): Promise<TrialDetail | null> {
    return this.#transaction('reading a trial', READ, async (client) => {
      const row = (await client.query<TrialRow>(SQL.trialByNumber, [studyId, number])).rows[0];
      if (!row) return null;
      return { ...trialFromRow(row), steps: stepsFromRows((await client.query<StepRow>(SQL.steps, [row.id])).rows) };
    });
  }

  async listTrials(studyId: number, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    const { rows } = await this.#query<TrialRow>('listing trials', SQL.listTrials, [
      studyId,
      filter.states ? [...filter.states] : null,
      filter.numbers?.above ?? null,
      [...(filter.numbers?.among ?? [])],
    ]);
    return rows.map(trialFromRow).filter((trial) => matchesSamplerState(trial.samplerState, filter.samplerState));
  }

  async countTrials(studyId: number): Promise<Record<TrialState, number>> {
    const counts = zeroCounts();
    for (const row of (await this.#query<{ state: TrialState; n: number }>('counting trials', SQL.counts, [studyId])).rows) counts[row.state] = row.n;
    return counts;
  }

  async leaderboard(studyId: number, options: LeaderboardOptions): Promise<LeaderboardRow[]> {
    const top = Math.max(0, Math.floor(options.top));
    const limit = Number.isFinite(top) ? top : null; // LIMIT NULL: no limit (`--top all`)
    const states = [...new Set(options.states ?? ['complete'])];
    const { rows } = await this.#query<BoardRow & { steps: number }>('reading the leaderboard', options.direction === 'maximize' ? SQL.topMax : SQL.topMin,
      [studyId, states, limit]);
    return rows.map((row, i) => leaderboardRowFrom(row, i + 1, row.steps));
  }

  async stepValues(studyId: number, name: string, step: number): Promise<StepValue[]> {
    const { rows } = await this.#query<{ number: number; state: TrialState; value: number | null }>('reading step values', SQL.stepValues, [step, name, studyId]);
    return rows.map((row) => ({ number: row.number, state: row.state, value: decodeStepValue(row.value) }));
  }

  async getMeasurement(key: string): Promise<Measurement | null> {
    const { rows } = await this.#query<{ value_json: string; measured_at: string }>('reading a measurement', SQL.measurement, [key]);
    return rows[0] ? { value: JSON.parse(rows[0].value_json) as unknown, measuredAt: Number(rows[0].measured_at) } : null;
  }

  async putMeasurement(key: string, value: unknown): Promise<void> {
    await this.#query('keeping a measurement', SQL.putMeasurement, [key, encodeMeasurement(value)]);
  }

  async keepTrialModel(lease: TrialLease, model: ModelArtifact, keep: ModelRetention): Promise<boolean> {
    const m = encodeModel(model);
    const limit = retentionLimit(keep);
    return this.#transaction('keeping a model', WRITE, async (client) => {
      const found = (await client.query<ClaimRow & { study_id: number }>(MODEL_SQL.lockTrialStudy, [lease.id])).rows[0];
      checkKeepable(lease.id, found, lease.token, this.location);
      await client.query(MODEL_SQL.putModel, [lease.id, m.modelJson, m.weights, m.inputJson, m.step, m.bytes, Date.now()]);
      if (limit !== null) await client.query(keep.direction === 'maximize' ? MODEL_SQL.pruneMax : MODEL_SQL.pruneMin, [found!.study_id, limit]);
      return ((await client.query(MODEL_SQL.hasModel, [lease.id])).rowCount ?? 0) > 0;
    });
  }

  async getTrialModel(studyId: number, number: number): Promise<ModelArtifact | null> {
    const { rows } = await this.#query<TrialModelRow>('reading a model', MODEL_SQL.modelByNumber, [studyId, number]);
    return rows[0] ? modelFromRow(rows[0]) : null;
  }

  async listTrialModels(studyId: number): Promise<TrialModelInfo[]> {
    const { rows } = await this.#query<{ number: number; bytes: number; step: number | null; saved_at: number }>('listing models', MODEL_SQL.modelInfos, [studyId]);
    return rows.map((row) => ({ number: row.number, bytes: row.bytes, step: row.step, savedAt: row.saved_at }));
  }

  async importTrialModel(studyId: number, number: number, model: ModelArtifact, savedAt: number): Promise<void> {
    const m = encodeModel(model);
    await this.#transaction('importing a model', WRITE, async (client) => {
      const trial = (await client.query<{ id: number }>(MODEL_SQL.trialIdByNumber, [studyId, number])).rows[0];
      if (!trial) throw new HpsearchError('E_TRIAL_NOT_FOUND', `no trial ${number} in study ${studyId} of ${this.location}`);
      await client.query(MODEL_SQL.putModel, [trial.id, m.modelJson, m.weights, m.inputJson, m.step, m.bytes, savedAt]);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}
