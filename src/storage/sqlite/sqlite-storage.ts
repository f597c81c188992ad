import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { HpsearchError } from '../../errors.js';
import type { Direction, Params } from '../../space/types.js';
import { isFinished, type TrialState } from '../../trial-state.js';
import type {
  ClaimOptions, ClaimedTrial, RecoverOptions, RecoveredTrial, LeaderboardOptions, LeaderboardRow, Metrics, NewStudy, StepRecord, StepValue, Storage,
  StudyRecord, StudySummary, TrialDetail, TrialFilter, TrialFinish, TrialParamsUpdate, TrialRecord,
} from '../storage.js';
import { decodeParams, decodeStepValue, encodeMetrics, encodeParams } from './metrics-codec.js';
import { MIGRATIONS, checkSchema, migrate, notSqliteMessage, type Migration } from './migrations.js';
import {
  canWriteDatabase, createDatabaseFolder, damagedMessage, isWritable, readDatabaseCopy, readOnlyFileMessage, readOnlyFolderMessage,
} from './file-checks.js';
import { decodeAttrs, studyFromRow, trialFromRow, zeroCounts, type StudyRow, type TrialRow } from '../rows.js';

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

/** How long a writer waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

export async function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): Promise<SqliteStorage> {
  const readonly = options.readonly ?? false;
  const migrations = options.migrations ?? MIGRATIONS;
  const inMemory = path === ':memory:';
  let db: Database.Database;
  try {
    // What SQLite opens: the file in place, or (reading a database this user may not write) a copy in memory.
    let source: string | Buffer = path;
    if (!inMemory) {
      if (existsSync(path) && statSync(path).isDirectory()) {
        throw new HpsearchError('E_STORAGE', `${path} is a folder, not a database file; give a file path such as ${join(path, 'hpsearch.db')}`);
      }
      if (readonly) {
        if (!existsSync(path)) throw new HpsearchError('E_STORAGE', `${path} does not exist`);
        // In place, SQLite would create -wal and -shm files owned by this user beside someone
        // else's database (on which the owner's next write then fails), or in a read-only folder
        // could not open it at all.
        if (!canWriteDatabase(path)) source = readDatabaseCopy(path) ?? path;
      } else {
        if (existsSync(path) && !isWritable(path)) throw new HpsearchError('E_STORAGE', readOnlyFileMessage(path));
        createDatabaseFolder(path);
      }
    }
    db = new Database(source, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw toStorageError(error, path, 'opening');
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Inspect before anything else reads or writes (journal_mode = WAL rewrites the header),
    // so a refused file stays untouched and a non-SQLite file gets the clear message.
    const status = checkSchema(db, path, migrations);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (readonly) {
      if (status !== 'current') {
        const why = status === 'new' ? 'is empty, not an hpsearch database' : 'uses an older schema; open it once without read-only to upgrade it';
        throw new HpsearchError(status === 'new' ? 'E_STORAGE' : 'E_SCHEMA_VERSION', `${path} ${why}`);
      }
    } else {
      // SQLite meets damage only on the pages it reads, so a run could add trials to a damaged
      // file before failing: every page is checked before the first write.
      if (status === 'older' || (status === 'current' && (options.verify ?? true))) {
        // "ok", or lines such as "Tree 4 page 28: btreeInitPage() returns error code 11" after a header.
        const problems = String(db.pragma('quick_check', { simple: true })).split('\n').filter((line) => line !== '' && !line.startsWith('*** '));
        if (problems[0] !== 'ok') {
          const more = problems.length > 1 ? `, and ${problems.length - 1} more` : '';
          throw new HpsearchError('E_STORAGE', damagedMessage(path, 'opening', `${problems[0] ?? 'quick_check failed'}${more}`));
        }
      }
      useWal(db);
      if (status !== 'current') migrate(db, migrations);
    }
    return new SqliteStorage(db, path);
  } catch (error) {
    db.close();
    throw toStorageError(error, path, 'opening');
  }
}

/**
 * Switches the file to WAL (it stays so: later opens find it set). The switch needs the file to
 * itself for a moment, and SQLite answers SQLITE_BUSY at once, without waiting out busy_timeout,
 * while another process holds it (two runs opening a new database together): so retry, with
 * growing pauses, for as long as busy_timeout would have waited.
 */
function useWal(db: Database.Database): void {
  // Counted in pauses, not read off a clock, so a faked or stepped clock cannot stretch it.
  let waited = 0;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    const outOfTime = waited + pause > BUSY_TIMEOUT_MS;
    try {
      // It answers the mode it has after the pragma: the old one when it could not switch, and
      // always "memory" for an in-memory database, which has no journal file to share.
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode === 'wal' || mode === 'memory') return;
      if (outOfTime) throw new HpsearchError('E_STORAGE', `${db.name}: cannot switch to WAL mode (it stays "${String(mode)}")`);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || outOfTime) throw error;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    waited += pause;
  }
}

/**
 * A driver error as E_STORAGE, saying what to do. Codes are SQLite's extended ones
 * (SQLITE_CORRUPT_INDEX, SQLITE_READONLY_DIRECTORY, ...), so families are matched by prefix.
 */
function toStorageError(error: unknown, location: string, doing: string): HpsearchError {
  const codeOf = (e: unknown) => String((e as { code?: unknown } | null)?.code ?? '');
  // checkSchema reports a damaged first page as "not SQLite"; its cause tells the two apart.
  const damaged = (e: unknown) => codeOf(e).startsWith('SQLITE_CORRUPT');
  if (error instanceof HpsearchError && !damaged(error.cause)) return error;
  const cause = error instanceof HpsearchError ? error.cause : error;
  const code = codeOf(cause);
  const message = cause instanceof Error ? cause.message : String(cause);
  const failed = `${location}: ${doing} failed`;
  if (damaged(cause)) return new HpsearchError('E_STORAGE', damagedMessage(location, doing, message), { cause });
  if (code === 'SQLITE_NOTADB') return new HpsearchError('E_STORAGE', `${doing} failed: ${notSqliteMessage(location)}`, { cause });
  if (code === 'SQLITE_READONLY_DIRECTORY') return new HpsearchError('E_STORAGE', `${failed}: ${readOnlyFolderMessage(location)}`, { cause });
  if (code.startsWith('SQLITE_READONLY')) {
    return new HpsearchError('E_STORAGE',
      `${failed}: the database is read-only (${message}); check the permissions of ${location} and of its -wal and -shm files if they exist, or pass --db with a writable copy`,
      { cause });
  }
  const hint = code === 'SQLITE_BUSY' ? ` (another process held the database for over ${BUSY_TIMEOUT_MS / 1000} s)`
    : code.startsWith('SQLITE_CANTOPEN') ? `; check that ${dirname(resolve(location))} exists and this user may read and write it, or pass --db with another path`
    : code === 'SQLITE_FULL' ? '; the disk is full: free some space and run again'
    : code.startsWith('SQLITE_IOERR') ? '; a read or write of the file failed: check the disk it is on'
    : code === 'EACCES' || code === 'EPERM' ? `; check the permissions of ${location}`
    : '';
  return new HpsearchError('E_STORAGE', `${failed}: ${message}${hint}`, { cause });
}

interface StepRow { step: number; name: string; value: number | null }
interface CountRow { study_id: number; state: TrialState; n: number }

const ACTIVE = "state IN ('queued', 'running')";

/** Orders non-NULL values best first, then by number; written out because Infinity - Infinity is NaN. */
function compareByValue(direction: Direction): (a: TrialRow, b: TrialRow) => number {
  const sign = direction === 'maximize' ? -1 : 1;
  return (a, b) => (a.value! < b.value! ? -sign : a.value! > b.value! ? sign : a.number - b.number);
}

/** Every statement, prepared once per connection; user values are always bound, never spliced. */
function prepareStatements(db: Database.Database) {
  const p = <R = unknown>(source: string) => db.prepare<unknown[], R>(source);
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
    insertTrial: p<{ id: number }>(`INSERT INTO trials (study_id, number, sample_index, state, params_json, started_at, owner)
      VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
    oldestQueued: p<TrialRow>("SELECT * FROM trials WHERE study_id = ? AND state = 'queued' ORDER BY number LIMIT 1"),
    start: p("UPDATE trials SET state = 'running', owner = ?, started_at = ?, heartbeat_at = NULL WHERE id = ?"),
    release: p(`UPDATE trials SET state = 'queued', owner = NULL, started_at = NULL, heartbeat_at = NULL, round = NULL,
      params_json = CASE WHEN sample_index IS NULL THEN params_json ELSE '{}' END
      WHERE id = ? AND state = 'running'`),
    deleteSteps: p('DELETE FROM trial_steps WHERE trial_id = ?'),
    importTrial: p<{ id: number }>(`INSERT INTO trials (study_id, number, sample_index, state, params_json, value, metrics_json,
      attrs_json, error, started_at, ended_at, round, seed, owner) VALUES (@study, @number, @sampleIndex, @state, @params, @value,
      @metrics, @attrs, @error, @startedAt, @endedAt, @round, @seed, @owner) RETURNING id`),
    heartbeat: p("UPDATE trials SET heartbeat_at = ? WHERE owner = ? AND state = 'running'"),
    runningOwners: p<{ owner: string | null }>("SELECT DISTINCT owner FROM trials WHERE study_id = ? AND state = 'running'"),
    running: p<{ id: number; number: number; owner: string | null; alive_at: number | null }>(`SELECT id, number, owner,
      COALESCE(heartbeat_at, started_at) AS alive_at FROM trials WHERE study_id = ? AND state = 'running' ORDER BY number`),
    runningOf: p<{ id: number }>("SELECT id FROM trials WHERE owner = ? AND state = 'running'"),
    setParams: p(`UPDATE trials SET params_json = @params, started_at = @now,
      round = CASE WHEN @setRound THEN @round ELSE round END, seed = CASE WHEN @setSeed THEN @seed ELSE seed END
      WHERE id = @id AND ${ACTIVE}`),
    finish: p(`UPDATE trials SET state = @state, value = @value, metrics_json = @metrics, attrs_json = @attrs, error = @error, ended_at = @now
      WHERE id = @id AND ${ACTIVE}`),
    stateOf: p<{ state: TrialState }>('SELECT state FROM trials WHERE id = ?'),
    deleteStep: p('DELETE FROM trial_steps WHERE trial_id = ? AND step = ?'),
    insertStep: p('INSERT INTO trial_steps (trial_id, step, name, value) VALUES (?, ?, ?, ?)'),
    trialByNumber: p<TrialRow>('SELECT * FROM trials WHERE study_id = ? AND number = ?'),
    steps: p<StepRow>('SELECT step, name, value FROM trial_steps WHERE trial_id = ? ORDER BY step, name'),
    stepCount: p<{ n: number }>('SELECT COUNT(DISTINCT step) AS n FROM trial_steps WHERE trial_id = ?'),
    // Filters bound as values (a JSON array of states), so one prepared statement serves every filter.
    listTrials: p<TrialRow>(`SELECT * FROM trials WHERE study_id = @study
      AND (@round IS NULL OR round = @round)
      AND (@states IS NULL OR state IN (SELECT value FROM json_each(@states)))
      ORDER BY number`),
    topMax: p<TrialRow>(`SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NOT NULL
      ORDER BY value DESC, number LIMIT ?`),
    topMin: p<TrialRow>(`SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NOT NULL
      ORDER BY value ASC, number LIMIT ?`),
    stepValues: p<{ number: number; state: TrialState; value: number | null }>(`SELECT t.number, t.state, s.value
      FROM trials t JOIN trial_steps s ON s.trial_id = t.id AND s.step = ? AND s.name = ?
      WHERE t.study_id = ? ORDER BY t.number`),
    topNull: p<TrialRow>('SELECT * FROM trials WHERE study_id = ? AND state = ? AND value IS NULL ORDER BY number LIMIT ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

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

  /** Why a write to a trial changed no row: it does not exist, or it already finished. */
  private notWritable(trialId: number): HpsearchError {
    const row = this.sql.stateOf.get(trialId);
    if (!row) return new HpsearchError('E_TRIAL_NOT_FOUND', `no trial with id ${trialId} in ${this.location}`);
    return new HpsearchError('E_TRIAL_FINISHED', `trial ${trialId} already finished (${row.state}); finished trials cannot change`);
  }

  async createStudy(study: NewStudy): Promise<StudyRecord> {
    return this.run('creating a study', () => {
      try {
        const row = this.sql.insertStudy.get(study.name, study.direction, study.metric, study.seed,
          JSON.stringify(study.space ?? null), study.spaceFile ?? null, study.createdAt ?? Date.now())!;
        return studyFromRow(row);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
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
      return this.sql.allStudies.all().map((row) => {
        const best = (row.direction === 'maximize' ? this.sql.bestMax : this.sql.bestMin).get(row.id)!.best;
        return { ...studyFromRow(row), counts: counts.get(row.id) ?? zeroCounts(), best };
      });
    });
  }

  async enqueueTrial(studyId: number, params: Params): Promise<TrialRecord> {
    return this.write('queueing a trial', () => {
      const number = this.sql.nextNumber.get(studyId)!.n;
      this.insertTrial(studyId, number, null, 'queued', params, null, null);
      return trialFromRow(this.sql.trialByNumber.get(studyId, number)!);
    });
  }

  async claimTrial(studyId: number, options: ClaimOptions): Promise<ClaimedTrial | null> {
    return this.write('claiming a trial', () => {
      const now = Date.now();
      const queued = this.sql.oldestQueued.get(studyId);
      if (queued) {
        this.sql.start.run(options.owner, now, queued.id);
        // A queued trial with a sample index was released before it ran: the sampler draws it again.
        const sampled = queued.sample_index !== null;
        return {
          id: queued.id,
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
      const id = this.insertTrial(studyId, number, sampleIndex, 'running', {}, now, options.owner);
      return { id, number, params: null, sampleIndex };
    });
  }

  private insertTrial(studyId: number, number: number, sampleIndex: number | null, state: TrialState,
    params: Params, startedAt: number | null, owner: string | null): number {
    try {
      return this.sql.insertTrial.get(studyId, number, sampleIndex, state, encodeParams(params), startedAt, owner)!.id;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new HpsearchError('E_STUDY_NOT_FOUND', `no study with id ${studyId} in ${this.location}`, { cause: error });
      }
      throw error;
    }
  }

  async setTrialParams(trialId: number, update: TrialParamsUpdate): Promise<void> {
    this.run('saving trial params', () => {
      const changed = this.sql.setParams.run({
        id: trialId, params: encodeParams(update.params),
        setRound: update.round === undefined ? 0 : 1, round: update.round ?? null,
        setSeed: update.seed === undefined ? 0 : 1, seed: update.seed ?? null, now: Date.now(),
      }).changes;
      if (changed === 0) throw this.notWritable(trialId);
    });
  }

  async releaseTrial(trialId: number): Promise<void> {
    this.write('releasing a trial', () => {
      if (this.sql.release.run(trialId).changes === 0) throw this.notWritable(trialId);
      this.sql.deleteSteps.run(trialId);
    });
  }

  async heartbeat(owner: string): Promise<number> {
    return this.run('recording a heartbeat', () => this.sql.heartbeat.run(Date.now(), owner).changes);
  }

  async runningOwners(studyId: number): Promise<string[]> {
    return this.run('reading running trials', () =>
      this.sql.runningOwners.all(studyId).flatMap((row) => (row.owner === null ? [] : [row.owner])),
    );
  }

  async recoverStaleTrials(studyId: number, options: RecoverOptions): Promise<RecoveredTrial[]> {
    const dead = new Set(options.deadOwners ?? []);
    const live = new Set(options.liveOwners ?? []);
    return this.write('recovering stale trials', () => {
      const recovered: RecoveredTrial[] = [];
      for (const row of this.sql.running.all(studyId)) {
        if (row.owner !== null && live.has(row.owner)) continue;
        const reason: RecoveredTrial['reason'] | null = row.owner !== null && dead.has(row.owner)
          ? 'dead-owner'
          : row.alive_at === null || row.alive_at < options.staleBefore ? 'no-heartbeat' : null;
        if (reason === null) continue;
        this.sql.release.run(row.id);
        this.sql.deleteSteps.run(row.id);
        recovered.push({ number: row.number, owner: row.owner, reason });
      }
      return recovered;
    });
  }

  async releaseTrialsOf(owner: string): Promise<number> {
    return this.write('releasing running trials', () => {
      const ids = this.sql.runningOf.all(owner).map((row) => row.id);
      for (const id of ids) {
        this.sql.release.run(id);
        this.sql.deleteSteps.run(id);
      }
      return ids.length;
    });
  }

  async reportStep(trialId: number, step: number, values: Metrics): Promise<void> {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new HpsearchError('E_USAGE', `step must be a non-negative integer, got ${step}`);
    }
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'number') throw new HpsearchError('E_USAGE', `metric "${name}" at step ${step} is not a number`);
    }
    this.write('reporting a step', () => {
      const row = this.sql.stateOf.get(trialId);
      if (!row || isFinished(row.state)) throw this.notWritable(trialId);
      this.sql.deleteStep.run(trialId, step);
      // NaN binds as NULL (SQLite's own conversion); decodeStepValue reads it back as NaN.
      for (const [name, value] of Object.entries(values)) this.sql.insertStep.run(trialId, step, name, value);
    });
  }

  async finishTrial(trialId: number, result: TrialFinish): Promise<void> {
    if (!isFinished(result.state)) {
      throw new HpsearchError('E_USAGE', `a trial can only finish as complete, pruned or failed, not ${String(result.state)}`);
    }
    this.run('finishing a trial', () => {
      const changed = this.sql.finish.run({
        id: trialId, state: result.state, value: result.value ?? null, metrics: encodeMetrics(result.metrics),
        attrs: result.attrs ? JSON.stringify(result.attrs) : null,
        error: result.error ?? null, now: Date.now(),
      }).changes;
      if (changed === 0) throw this.notWritable(trialId);
    });
  }

  async importTrial(studyId: number, trial: TrialDetail): Promise<void> {
    this.write('importing a trial', () => {
      let id: number;
      try {
        id = this.sql.importTrial.get({
          study: studyId, number: trial.number, sampleIndex: trial.sampleIndex, state: trial.state, params: encodeParams(trial.params),
          value: trial.value, metrics: encodeMetrics(trial.metrics), attrs: trial.attrs ? JSON.stringify(trial.attrs) : null,
          error: trial.error, startedAt: trial.startedAt, endedAt: trial.endedAt, round: trial.round, seed: trial.seed, owner: trial.owner,
        })!.id;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
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
      if (!row) return null;
      const steps: StepRecord[] = [];
      for (const { step, name, value } of this.sql.steps.all(row.id)) {
        if (steps.at(-1)?.step !== step) steps.push({ step, values: {} });
        // defineProperty, not `=`: a metric named __proto__ must stay a metric.
        Object.defineProperty(steps.at(-1)!.values, name, { value: decodeStepValue(value), enumerable: true, writable: true, configurable: true });
      }
      return { ...trialFromRow(row), steps };
    });
  }

  async listTrials(studyId: number, filter: TrialFilter = {}): Promise<TrialRecord[]> {
    return this.run('listing trials', () =>
      this.sql.listTrials.all({
        study: studyId, round: filter.round ?? null, states: filter.states ? JSON.stringify(filter.states) : null,
      }).map(trialFromRow),
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
      return rows.map((row, i) => ({
        rank: i + 1, number: row.number, state: row.state, value: row.value, params: decodeParams(row.params_json),
        steps: this.sql.stepCount.get(row.id)!.n,
        durationMs: row.started_at !== null && row.ended_at !== null ? row.ended_at - row.started_at : null,
        round: row.round, error: row.error,
        attrs: decodeAttrs(row.attrs_json),
      }));
    });
  }

  async stepValues(studyId: number, name: string, step: number): Promise<StepValue[]> {
    return this.run('reading step values', () =>
      this.sql.stepValues.all(step, name, studyId).map((row) => ({ number: row.number, state: row.state, value: decodeStepValue(row.value) })),
    );
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
