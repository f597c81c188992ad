import type Database from 'better-sqlite3';
import { HpsearchError } from '../../errors.js';

/**
 * Schema versioning. The file header carries two 32-bit slots SQLite itself never touches:
 * `application_id` marks the file as hpsearch's (so we refuse to scribble on some other
 * program's database) and `user_version` is the schema version, bumped by each migration.
 */

/** 'HPSR' in ASCII. */
export const APPLICATION_ID = 0x48505352;

export interface Migration {
  /** 1, 2, 3, ...: the `user_version` the file has once this migration ran. */
  version: number;
  description: string;
  /** Runs inside a transaction opened by `migrate`; must not open its own. */
  up(db: Database.Database): void;
}

const STATES_SQL = "'queued', 'running', 'complete', 'pruned', 'failed'";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'studies, trials and per-step metrics',
    up(db) {
      db.exec(`
        CREATE TABLE studies (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          direction TEXT NOT NULL CHECK (direction IN ('maximize', 'minimize')),
          metric TEXT NOT NULL,
          seed INTEGER NOT NULL,
          space_json TEXT NOT NULL,
          space_file TEXT,
          created_at INTEGER NOT NULL
        );
        CREATE TABLE trials (
          id INTEGER PRIMARY KEY,
          study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
          number INTEGER NOT NULL,
          sample_index INTEGER,
          state TEXT NOT NULL CHECK (state IN (${STATES_SQL})),
          params_json TEXT NOT NULL DEFAULT '{}',
          value REAL,
          metrics_json TEXT,
          error TEXT,
          started_at INTEGER,
          ended_at INTEGER,
          round INTEGER,
          seed INTEGER,
          owner TEXT,
          UNIQUE (study_id, number),
          UNIQUE (study_id, sample_index)
        );
        -- Leaderboard: one range scan per state, already ordered by value.
        CREATE INDEX trials_by_value ON trials (study_id, state, value, number);
        -- claimTrial's "oldest queued first" without sorting the whole study.
        CREATE INDEX trials_queued ON trials (study_id, number) WHERE state = 'queued';
        -- One row per metric per step, so a pruner can read one metric at one step across trials.
        -- value NULL means NaN: SQLite cannot store NaN in a REAL column.
        CREATE TABLE trial_steps (
          trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
          step INTEGER NOT NULL,
          name TEXT NOT NULL,
          value REAL,
          PRIMARY KEY (trial_id, step, name)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 2,
    description: 'trial attributes (e.g. the TF.js backend a trial trained on)',
    up(db) {
      db.exec('ALTER TABLE trials ADD COLUMN attrs_json TEXT');
    },
  },
  {
    version: 3,
    description: 'heartbeats of running trials, so a dead process is noticed and its trials run again',
    up(db) {
      db.exec(`
        ALTER TABLE trials ADD COLUMN heartbeat_at INTEGER;
        -- Recovery reads a study's running trials: only those, without scanning the rest.
        CREATE INDEX trials_running ON trials (study_id, owner) WHERE state = 'running';
      `);
    },
  },
  {
    version: 4,
    description: "sampler state: each trial's sampler facts as JSON; narrowing's round moves there from its own column",
    up(db) {
      db.exec(`
        ALTER TABLE trials ADD COLUMN sampler_state TEXT NOT NULL DEFAULT '{}';
        -- {"round":n}: the JSON text the storage itself writes for narrowing's state (PostgreSQL's migration 4 writes the same).
        UPDATE trials SET sampler_state = '{"round":' || round || '}' WHERE round IS NOT NULL;
        ALTER TABLE trials DROP COLUMN round;
      `);
    },
  },
  {
    version: 5,
    description: "claim tokens: each claim of a trial gets a random id, and only the run holding it writes to the trial",
    up(db) {
      // NULL for trials nobody holds; a trial left running by an older hpsearch is recovered as before.
      db.exec('ALTER TABLE trials ADD COLUMN claim_token TEXT');
    },
  },
  {
    version: 6,
    description: 'measurements kept for every host of the database (e.g. which TF.js backend trains a model shape fastest)',
    up(db) {
      db.exec('CREATE TABLE measurements (key TEXT PRIMARY KEY, value_json TEXT NOT NULL, measured_at INTEGER NOT NULL)');
    },
  },
  {
    version: 7,
    description: 'the params an enqueued trial was given, apart from those the sampler fills in, so a release keeps only the given ones',
    up(db) {
      // NULL for sampled trials. Before, ask never merged a sample into an enqueued trial's params:
      // they are all given (PostgreSQL's migration 7 does the same).
      db.exec(`
        ALTER TABLE trials ADD COLUMN enqueued_params_json TEXT;
        UPDATE trials SET enqueued_params_json = params_json WHERE sample_index IS NULL;
      `);
    },
  },
  {
    version: 8,
    description: "trained models kept as trials' results (run --save-models), in the database so every host can export them",
    up(db) {
      // One model per trial; bytes (model.json plus weights) kept apart so listings never read the blobs.
      db.exec(`
        CREATE TABLE trial_models (
          trial_id INTEGER PRIMARY KEY REFERENCES trials(id) ON DELETE CASCADE,
          model_json TEXT NOT NULL,
          weights BLOB NOT NULL,
          input_json TEXT,
          step INTEGER,
          bytes INTEGER NOT NULL,
          saved_at INTEGER NOT NULL
        );
      `);
    },
  },
];

export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

export function newerSchemaMessage(location: string, found: number, known: number): string {
  return `${location} was written by a newer hpsearch (schema ${found}, this one knows ${known}); upgrade hpsearch`;
}

export function notSqliteMessage(location: string): string {
  return `${location} is not an SQLite database (or is damaged); give the path of an hpsearch database or of a new file`;
}

function readVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** A migration list must be numbered 1, 2, 3, ... (both SQL backends' lists). */
export function checkList(migrations: readonly { version: number }[]): void {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new Error(`migration list must be numbered 1, 2, 3, ...: entry ${i} has version ${migration.version}`);
    }
  });
}

export interface MigrationResult {
  from: number;
  to: number;
}

/**
 * Applies the migrations newer than the file's `user_version`, in order, each in its own
 * immediate transaction that also records the new version — so a crash leaves the file at
 * a consistent version, and two processes opening a new file at once do not both apply one.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkList(migrations);
  const latest = latestVersion(migrations);
  const from = readVersion(db);
  if (from > latest) throw new HpsearchError('E_SCHEMA_VERSION', newerSchemaMessage(db.name, from, latest));
  for (const migration of migrations) {
    if (migration.version <= from) continue;
    db.transaction(() => {
      // Re-read under the write lock: another process may have applied it since we looked.
      const current = readVersion(db);
      if (migration.version <= current) return;
      if (current === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return { from, to: readVersion(db) };
}

export type SchemaStatus = 'new' | 'older' | 'current';

/**
 * Decides, by reading only, whether the file is a new database, an hpsearch database this code
 * can use (possibly after migrating) or something to refuse. Refusals happen before anything
 * is written, so a wrong path never damages someone else's file.
 */
export function checkSchema(db: Database.Database, location: string, migrations: readonly Migration[] = MIGRATIONS): SchemaStatus {
  let applicationId: number;
  let version: number;
  let objects: number;
  try {
    // One read transaction: another process may be creating the schema right now, and three
    // separate reads could see its tables but not yet its application_id.
    ({ applicationId, version, objects } = db.transaction(() => ({
      applicationId: db.pragma('application_id', { simple: true }) as number,
      version: readVersion(db),
      objects: (db.prepare('SELECT COUNT(*) AS n FROM sqlite_schema').get() as { n: number }).n,
    })).deferred());
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new HpsearchError('E_STORAGE', notSqliteMessage(location), { cause: error });
    }
    throw error;
  }
  if (applicationId === 0 && version === 0 && objects === 0) return 'new';
  if (applicationId !== APPLICATION_ID) {
    throw new HpsearchError(
      'E_STORAGE',
      `${location} is not an hpsearch database (it belongs to another application); give the path of an hpsearch database or of a new file`,
    );
  }
  const latest = latestVersion(migrations);
  if (version > latest) throw new HpsearchError('E_SCHEMA_VERSION', newerSchemaMessage(location, version, latest));
  return version < latest ? 'older' : 'current';
}
