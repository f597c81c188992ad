import type Database from 'better-sqlite3';
import { HpsearchError } from '../../errors.js';
import type { Direction, Params, Metrics } from '../../space/types.js';
import { TRANSITIONS, type TransitionName, type TrialState } from '../../trial-state.js';
import { withAddedParams } from '../added-params.js';
import { staleReason } from '../recovery.js';
import { leaderboardRowFrom, stepsFromRows, studyFromRow, trialFromRow, zeroCounts, type TrialRow } from '../rows.js';
import { encodeSamplerState, matchesSamplerState } from '../sampler-state.js';
import { encodeMeasurement } from '../measurements.js';
import type { ClaimOptions, ClaimedTrial, RecoverOptions, RecoveredTrial, LeaderboardOptions, LeaderboardRow, NewStudy, StepValue, Storage, StudyRecord, StudySummary, TrialDetail, TrialFilter, TrialFinish, TrialLease, TrialParamsUpdate, TrialRecord, Measurement } from '../storage.js';
import { checkTrialAttrs } from '../trial-attrs.js';
import { checkFinishState, mayWrite, refusal } from '../transition-sql.js';
import { newClaimToken } from '../claims.js';
import { decodeParams, decodeStepValue, encodeMetrics, encodeParams } from '../metrics-codec.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { openDatabase } from './open-database.js';
import { codeOf, toStorageError } from './sqlite-errors.js';
import { prepareStatements, type Statements } from './statements.js';
import { modelInfoFromRow } from './trial-models.js';
import type { ModelArtifact } from '../model-artifact.js';
import { checkKeepable, encodeModel, modelFromRow, retentionLimit, type ModelRetention, type ModelTotals, type TrialModelInfo } from '../trial-models.js';

export interface SqliteStorageOptions {
  /** Open an existing, up-to-date database for reading only (e.g. `hpsearch show`). */
  readonly?: boolean;
  /** The schema migrations to apply; tests pass custom lists. Defaults to MIGRATIONS. */
  migrations?: readonly Migration[];
  /**
   * Opening for writing, check every page first (PRAGMA quick_check: about 50 ms for 100,000
   * trials) and refuse a damaged file. Default true; false for a caller that only reads
   * (a file that needs upgrading is checked anyway).
   */
  verify?: boolean;
}

export async function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): Promise<SqliteStorage> {
  const db = openDatabase(path, {
    readonly: options.readonly ?? false, migrations: options.migrations ?? MIGRATIONS, verify: options.verify ?? true,
  });
  return new SqliteStorage(db, path);
}

/** Orders non-NULL values best first, then by number; written out because Infinity - Infinity is NaN. */
function compareByValue(direction: Direction): (a: TrialRow, b: TrialRow) => number {
  const sign = direction === 'maximize' ? -1 : 1;
  return (a, b) => (a.value! < b.value! ? -sign : a.value! > b.value! ? sign : a.number - b.number);
}

/**
 * SQLite storage. better-sqlite3 is synchronous, so every method runs its statements inline
 * and the `async` wrapper turns any throw into a rejection. Writes that read first run in
 * immediate transactions: in WAL mode a deferred read-then-write transaction can fail with
 * SQLITE_BUSY without waiting, while BEGIN IMMEDIATE waits for the lock (busy_timeout).
 */
export class SqliteStorage implements Storage {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly sql: Statements;

  constructor(db: Database.Database, location: string) {
    this.db = db;
    this.location = location;
    this.sql = prepareStatements(db);
  }

  /** Runs `fn` against an open database, reporting driver errors as E_STORAGE. */
  private run<T>(doing: string, fn: () => T): T {
    if (!this.db.open) throw new HpsearchError('E_STORAGE', `${this.location} is closed`);
    try {
      return fn();
    } catch (error) {
      throw toStorageError(error, this.location, doing);
    }
  }

  /** A consistent snapshot across several reads (one WAL read transaction). */
  private read<T>(doing: string, fn: () => T): T {
    return this.run(doing, () => this.db.transaction(fn).deferred());
  }

  private write<T>(doing: string, fn: () => T): T {
    return this.run(doing, () => this.db.transaction(fn).immediate());
  }

  /** Why a transition of a trial changed no row: it does not exist, its claim is another's, or its state does not allow it. */
  private notWritable(transition: TransitionName, lease: TrialLease): HpsearchError {
    return refusal(transition, lease.id, this.sql.claimOf.get(lease.id), lease.token, this.location);
  }

  /** The transition's step deletion, where the table says it deletes them. */
  private afterTransition(transition: TransitionName, trialId: number): void {
    if (TRANSITIONS[transition].deletesSteps) this.sql.deleteSteps.run(trialId);
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    return this.write('creating a study', () => {
      try {
        const row = this.sql.insertStudy.get(study.name, study.direction, study.metric, study.seed,
          JSON.stringify(study.space ?? null), study.spaceFile ?? null, study.createdAt ?? Date.now())!;
        (study.enqueue ?? []).forEach((params, number) => this.insertQueued(row.id, number, params));
        return studyFromRow(row);
      } catch (error) {
        if (codeOf(error) === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new HpsearchError('E_STUDY_EXISTS',
            `a study named "${study.name}" already exists in ${this.location}; pick another name or resume it`, { cause: error });
        }
        throw error;
      }
    });
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    return this.run('reading a study', () => {
      const row = this.sql.studyByName.get(name);
      return row ? studyFromRow(row) : null;
    });
  }

  async listStudies(): Promise<StudySummary[]> {
    return this.read('listing studies', () => {
      const counts = new Map<number, Record<TrialState, number>>();
      for (const row of this.sql.allCounts.all()) {
        const byState = counts.get(row.study_id) ?? zeroCounts();
        byState[row.state] = row.n;
        counts.set(row.study_id, byState);
      }
      const models = new Map<number, ModelTotals>(this.sql.modelTotals.all().map((row) => [row.study_id, { count: row.n, bytes: row.bytes }]));
      return this.sql.allStudies.all().map((row) => {
        const best = (row.direction === 'maximize' ? this.sql.bestMax : this.sql.bestMin).get(row.id)!.best;
        return { ...studyFromRow(row), counts: counts.get(row.id) ?? zeroCounts(), best, models: models.get(row.id) ?? { count: 0, bytes: 0 } };
      });
    });
  }

  async enqueueTrial(studyId: number, params: Params): Promise<TrialRecord> {
    return this.write('queueing a trial', () => this.insertQueued(studyId, this.sql.nextNumber.get(studyId)!.n, params));
  }

  async claimTrial(studyId: number, options: ClaimOptions): Promise<ClaimedTrial | null> {
    return this.write('claiming a trial', () => {
      const now = Date.now();
      const queued = this.sql.oldestQueued.get(studyId);
      const token = newClaimToken();
      if (queued) {
        this.sql.start.run({ id: queued.id, owner: options.owner, token, now });
        // A queued trial with a sample index was released before it ran: the sampler draws it again.
        const sampled = queued.sample_index !== null;
        return {
          id: queued.id,
          token,
          number: queued.number,
          params: sampled ? null : decodeParams(queued.params_json),
          sampleIndex: queued.sample_index,
        };
      }
      // Numbers are dense (0..n-1, never deleted), so the next number is the trial count,
      // read from the index in O(log n) rather than COUNT(*) over the whole study.
      const number = this.sql.nextNumber.get(studyId)!.n;
      if (number >= options.maxTrials) return null;
      const sampleIndex = this.sql.nextSample.get(studyId)!.n;
      const id = this.insertTrial(studyId, number, sampleIndex, 'running', {}, now, options.owner, token);
      return { id, token, number, params: null, sampleIndex };
    });
  }

  private insertTrial(studyId: number, number: number, sampleIndex: number | null, state: TrialState,
    params: Params, startedAt: number | null, owner: string | null, token: string | null): number {
    return this.inStudy(studyId, () => this.sql.insertTrial.get(studyId, number, sampleIndex, state, encodeParams(params), startedAt, owner, token)!.id);
  }

  private insertQueued(studyId: number, number: number, params: Params): TrialRecord {
    return this.inStudy(studyId, () => trialFromRow(this.sql.insertQueued.get({ study: studyId, number, params: encodeParams(params) })!));
  }

  /** Runs an insert of a trial of study `studyId`, reporting a study that does not exist as such. */
  private inStudy<T>(studyId: number, insert: () => T): T {
    try {
      return insert();
    } catch (error) {
      if (codeOf(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new HpsearchError('E_STUDY_NOT_FOUND', `no study with id ${studyId} in ${this.location}`, { cause: error });
      }
      throw error;
    }
  }

  async setTrialParams(lease: TrialLease, update: TrialParamsUpdate): Promise<void> {
    this.run('saving trial params', () => {
      const changed = this.sql.setParams.run({
        id: lease.id, token: lease.token, params: encodeParams(update.params),
        setState: update.samplerState === undefined ? 0 : 1, samplerState: update.samplerState === undefined ? null : encodeSamplerState(update.samplerState),
        setSeed: update.seed === undefined ? 0 : 1, seed: update.seed ?? null, now: Date.now(),
      }).changes;
      if (changed === 0) throw this.notWritable('sample', lease);
    });
  }

  async addTrialParams(lease: TrialLease, params: Params): Promise<void> {
    this.write('saving asked params', () => {
      const row = this.sql.claimAndParams.get(lease.id);
      if (!mayWrite('suggest', row, lease.token)) throw refusal('suggest', lease.id, row, lease.token, this.location);
      const merged = withAddedParams(row.number, decodeParams(row.params_json), params);
      if (merged === null) return;
      if (this.sql.addParams.run({ id: lease.id, token: lease.token, params: encodeParams(merged) }).changes === 0) throw this.notWritable('suggest', lease);
    });
  }

  async releaseTrial(lease: TrialLease): Promise<void> {
    this.write('releasing a trial', () => {
      if (this.sql.release.run({ id: lease.id, token: lease.token }).changes === 0) throw this.notWritable('release', lease);
      this.afterTransition('release', lease.id);
    });
  }

  async heartbeat(owner: string): Promise<number> {
    return this.run('recording a heartbeat', () => this.sql.heartbeat.run({ owner, now: Date.now() }).changes);
  }

  async heldTrials(leases: readonly TrialLease[]): Promise<number[]> {
    return this.read('reading claims', () =>
      leases.filter((lease) => lease.token !== null && this.sql.held.get(lease.id, lease.token) !== undefined).map((lease) => lease.id),
    );
  }

  async runningOwners(studyId: number): Promise<string[]> {
    return this.run('reading running trials', () =>
      this.sql.runningOwners.all(studyId).flatMap((row) => (row.owner === null ? [] : [row.owner])),
    );
  }

  async recoverStaleTrials(studyId: number, options: RecoverOptions): Promise<RecoveredTrial[]> {
    return this.write('recovering stale trials', () => {
      const recovered: RecoveredTrial[] = [];
      for (const row of this.sql.running.all({ study: studyId, now: Date.now() })) {
        const reason = staleReason(row, options);
        if (reason === null) continue;
        this.sql.requeue.run(row.id);
        this.afterTransition('release', row.id);
        recovered.push({ number: row.number, owner: row.owner, reason });
      }
      return recovered;
    });
  }

  async releaseTrialsOf(owner: string): Promise<number> {
    return this.write('releasing running trials', () => {
      const ids = this.sql.runningOf.all(owner).map((row) => row.id);
      for (const id of ids) {
        this.sql.requeue.run(id);
        this.afterTransition('release', id);
      }
      return ids.length;
    });
  }

  async reportStep(lease: TrialLease, step: number, values: Metrics): Promise<void> {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new HpsearchError('E_USAGE', `step must be a non-negative integer, got ${step}`);
    }
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number') throw new HpsearchError('E_USAGE', `metric "${name}" at step ${step} is not a number`);
    }
    this.write('reporting a step', () => {
      const { id, token } = lease;
      const claim = this.sql.claimOf.get(id);
      if (!mayWrite('report', claim, token)) throw refusal('report', id, claim, token, this.location);
      this.sql.deleteStep.run(id, step);
      // NaN binds as NULL (SQLite's own conversion); decodeStepValue reads it back as NaN.
      for (const [name, value] of Object.entries(values)) this.sql.insertStep.run(id, step, name, value);
    });
  }

  async finishTrial(lease: TrialLease, result: TrialFinish): Promise<void> {
    checkFinishState(result.state);
    if (result.attrs) checkTrialAttrs(result.attrs);
    this.run('finishing a trial', () => {
      const changed = this.sql.finish.run({
        id: lease.id, token: lease.token, state: result.state, value: result.value ?? null, metrics: encodeMetrics(result.metrics),
        attrs: result.attrs ? JSON.stringify(result.attrs) : null,
        error: result.error ?? null, now: Date.now(),
      }).changes;
      if (changed === 0) throw this.notWritable('finish', lease);
    });
  }

  async importTrial(studyId: number, trial: TrialDetail): Promise<void> {
    if (trial.attrs) checkTrialAttrs(trial.attrs);
    const samplerState = encodeSamplerState(trial.samplerState);
    this.write('importing a trial', () => {
      let id: number;
      try {
        id = this.sql.importTrial.get({
          study: studyId, number: trial.number, sampleIndex: trial.sampleIndex, state: trial.state, params: encodeParams(trial.params),
          value: trial.value, metrics: encodeMetrics(trial.metrics), attrs: trial.attrs ? JSON.stringify(trial.attrs) : null,
          error: trial.error, startedAt: trial.startedAt, endedAt: trial.endedAt, samplerState, seed: trial.seed, owner: trial.owner,
        })!.id;
      } catch (error) {
        const code = codeOf(error);
        if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new HpsearchError('E_USAGE', `the study already has a trial numbered ${trial.number} (or sample index ${trial.sampleIndex}); copy into a new study`, { cause: error });
        }
        if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new HpsearchError('E_STUDY_NOT_FOUND', `no study with id ${studyId} in ${this.location}`, { cause: error });
        throw error;
      }
      for (const { step, values } of trial.steps) {
        for (const [name, value] of Object.entries(values)) this.sql.insertStep.run(id, step, name, value);
      }
    });
  }

  async getTrial(studyId: number, number: number): Promise<TrialDetail | null> {
    return this.read('reading a trial', () => {
      const row = this.sql.trialByNumber.get(studyId, number);
      return row ? { ...trialFromRow(row), steps: stepsFromRows(this.sql.steps.all(row.id)) } : null;
    });
  }

  async listTrials(studyId: number, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    return this.run('listing trials', () =>
      this.sql.listTrials.all({
        study: studyId,
        states: filter.states ? JSON.stringify(filter.states) : null,
        above: filter.numbers?.above ?? null,
        among: JSON.stringify(filter.numbers?.among ?? []),
      })
        .map(trialFromRow).filter((trial) => matchesSamplerState(trial.samplerState, filter.samplerState)),
    );
  }

  async countTrials(studyId: number): Promise<Record<TrialState, number>> {
    return this.run('counting trials', () => {
      const counts = zeroCounts();
      for (const row of this.sql.counts.all(studyId)) counts[row.state] = row.n;
      return counts;
    });
  }

  async leaderboard(studyId: number, options: LeaderboardOptions): Promise<LeaderboardRow[]> {
    const top = Math.max(0, Math.floor(options.top));
    const limit = Number.isFinite(top) ? top : -1; // LIMIT -1: no limit (`--top all`)
    const states = [...new Set(options.states ?? ['complete'])];
    return this.read('reading the leaderboard', () => {
      // One index range per state (each already ordered), merged here: an IN (...) over
      // several states would make SQLite sort every matching trial of a large study.
      const ranked = this.sql[options.direction === 'maximize' ? 'topMax' : 'topMin'];
      const rows = states.flatMap((state) => ranked.all(studyId, state, limit))
        .sort(compareByValue(options.direction)).slice(0, top);
      if (rows.length < top) {
        const unvalued = states.flatMap((state) => this.sql.topNull.all(studyId, state, Number.isFinite(top) ? top - rows.length : -1))
          .sort((a, b) => a.number - b.number);
        rows.push(...unvalued.slice(0, top - rows.length));
      }
      return rows.map((row, i) => leaderboardRowFrom(row, i + 1, this.sql.stepCount.get(row.id)!.n));
    });
  }

  async stepValues(studyId: number, name: string, step: number): Promise<StepValue[]> {
    return this.run('reading step values', () =>
      this.sql.stepValues.all(step, name, studyId).map((row) => ({ number: row.number, state: row.state, value: decodeStepValue(row.value) })),
    );
  }

  async getMeasurement(key: string): Promise<Measurement | null> {
    return this.run('reading a measurement', () => {
      const row = this.sql.measurement.get(key);
      return row ? { value: JSON.parse(row.value_json) as unknown, measuredAt: row.measured_at } : null;
    });
  }

  async putMeasurement(key: string, value: unknown): Promise<void> {
    const json = encodeMeasurement(value);
    this.run('keeping a measurement', () => this.sql.putMeasurement.run(key, json, Date.now()));
  }

  async keepTrialModel(lease: TrialLease, model: ModelArtifact, keep: ModelRetention): Promise<boolean> {
    const encoded = encodeModel(model);
    const limit = retentionLimit(keep);
    return this.write('keeping a model', () => {
      const found = this.sql.claimOf.get(lease.id);
      checkKeepable(lease.id, found, lease.token, this.location);
      this.sql.putModel.run({ trial: lease.id, ...encoded, savedAt: Date.now() });
      if (limit !== null) {
        const study = this.sql.studyOfTrial.get(lease.id)!.study_id;
        this.sql[keep.direction === 'maximize' ? 'pruneModelsMax' : 'pruneModelsMin'].run({ study, limit });
      }
      return this.sql.hasModel.get(lease.id) !== undefined;
    });
  }

  async getTrialModel(studyId: number, number: number): Promise<ModelArtifact | null> {
    return this.run('reading a model', () => {
      const row = this.sql.modelByNumber.get(studyId, number);
      return row ? modelFromRow(row) : null;
    });
  }

  async listTrialModels(studyId: number): Promise<TrialModelInfo[]> {
    return this.run('listing models', () => this.sql.modelInfos.all(studyId).map(modelInfoFromRow));
  }

  async importTrialModel(studyId: number, number: number, model: ModelArtifact, savedAt: number): Promise<void> {
    const encoded = encodeModel(model);
    this.write('importing a model', () => {
      const trial = this.sql.trialIdByNumber.get(studyId, number);
      if (!trial) throw new HpsearchError('E_TRIAL_NOT_FOUND', `no trial ${number} in study ${studyId} of ${this.location}`);
      this.sql.putModel.run({ trial: trial.id, ...encoded, savedAt });
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
