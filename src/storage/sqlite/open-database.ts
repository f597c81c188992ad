import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HpsearchError } from '../../errors.js';
import {
  canWriteDatabase, createDatabaseFolder, damagedMessage, isWritable, readDatabaseCopy, readOnlyFileMessage,
} from './file-checks.js';
import { checkSchema, migrate, type Migration } from './migrations.js';
import { toStorageError } from './sqlite-errors.js';
import { useWal, waitForLocks } from './wal.js';

export interface OpenDatabaseOptions {
  readonly: boolean;
  migrations: readonly Migration[];
  /** Opening for writing, check every page first (see refuseDamaged). */
  verify: boolean;
}

/**
 * Opens the database at `path` (or `:memory:`) ready for use: refused with a message saying what
 * to do when it is a folder, missing (read-only), not writable, not hpsearch's, from a newer
 * hpsearch or damaged; otherwise in WAL mode and migrated to the latest schema (for writing), or
 * checked to be current (read-only).
 */
export function openDatabase(path: string, options: OpenDatabaseOptions): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(sourceOf(path, options.readonly), { readonly: options.readonly, fileMustExist: options.readonly });
  } catch (error) {
    throw toStorageError(error, path, 'opening');
  }
  try {
    waitForLocks(db);
    // Inspect before anything else reads or writes (journal_mode = WAL rewrites the header),
    // so a refused file stays untouched and a non-SQLite file gets the clear message.
    const status = checkSchema(db, path, options.migrations);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (options.readonly) {
      if (status !== 'current') {
        const why = status === 'new' ? 'is empty, not an hpsearch database' : 'uses an older schema; open it once without read-only to upgrade it';
        throw new HpsearchError(status === 'new' ? 'E_STORAGE' : 'E_SCHEMA_VERSION', `${path} ${why}`);
      }
    } else {
      if (status === 'older' || (status === 'current' && options.verify)) refuseDamaged(db, path);
      useWal(db);
      if (status !== 'current') migrate(db, options.migrations);
    }
    return db;
  } catch (error) {
    db.close();
    throw toStorageError(error, path, 'opening');
  }
}

/**
 * What SQLite opens: the file in place, or (reading a database this user may not write) a copy
 * in memory. Throws E_STORAGE for a folder, a missing file to read, or a file it may not write.
 */
function sourceOf(path: string, readonly: boolean): string | Buffer {
  if (path === ':memory:') return path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new HpsearchError('E_STORAGE', `${path} is a folder, not a database file; give a file path such as ${join(path, 'hpsearch.db')}`);
  }
  if (readonly) {
    if (!existsSync(path)) throw new HpsearchError('E_STORAGE', `${path} does not exist`);
    // In place, SQLite would create -wal and -shm files owned by this user beside someone
    // else's database (on which the owner's next write then fails), or in a read-only folder
    // could not open it at all.
    return canWriteDatabase(path) ? path : (readDatabaseCopy(path) ?? path);
  }
  if (existsSync(path) && !isWritable(path)) throw new HpsearchError('E_STORAGE', readOnlyFileMessage(path));
  createDatabaseFolder(path);
  return path;
}

/**
 * SQLite meets damage only on the pages it reads, so a run could add trials to a damaged file
 * before failing: every page is checked before the first write (PRAGMA quick_check: about 50 ms
 * for 100,000 trials), and a damaged file is refused.
 */
function refuseDamaged(db: Database.Database, path: string): void {
  // "ok", or lines such as "Tree 4 page 28: btreeInitPage() returns error code 11" after a header.
  const problems = String(db.pragma('quick_check', { simple: true })).split('\n').filter((line) => line !== '' && !line.startsWith('*** '));
  if (problems[0] !== 'ok') {
    const more = problems.length > 1 ? `, and ${problems.length - 1} more` : '';
    throw new HpsearchError('E_STORAGE', damagedMessage(path, 'opening', `${problems[0] ?? 'quick_check failed'}${more}`));
  }
}
