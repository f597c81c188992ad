import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { HpsearchError } from '../../errors.js';

/**
 * What a database file allows this process, and what is wrong with it, in words that say what to
 * do. Permissions are checked before SQLite sees the file: SQLite opens a file it may not write
 * read-only without a word (the first write then fails deep inside a run), and a WAL database
 * needs its folder writable even to be read, for its -wal and -shm files.
 */

/** Whether this process may write `path` (false when it is missing or cannot be checked). */
export function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether this process may write the database file and create its -wal and -shm files beside it. */
export function canWriteDatabase(path: string): boolean {
  return isWritable(path) && isWritable(databaseFolder(path));
}

function databaseFolder(path: string): string {
  return dirname(resolve(path));
}

export function readOnlyFileMessage(path: string): string {
  return `${path} is read-only for this user: give it write permission, or pass --db with the path of a writable copy`;
}

export function readOnlyFolderMessage(path: string): string {
  const name = basename(path);
  return `the folder ${databaseFolder(path)} is not writable, and SQLite must create ${name}-wal and ${name}-shm there: ` +
    'make the folder writable, or copy the database to a writable folder and pass --db with the copy';
}

export function damagedMessage(path: string, doing: string, problem: string): string {
  return `${path}: ${doing} failed: the database is damaged (${problem}); restore it from a backup, or pass --db with a new file`;
}

/** Creates the folder a new database goes in; E_STORAGE naming the folder when it cannot. */
export function createDatabaseFolder(path: string): void {
  const folder = databaseFolder(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new HpsearchError(
      'E_STORAGE',
      `cannot create the folder ${folder} for ${path} (${(error as Error).message}): check its permissions, or pass --db with a path in a writable folder`,
      { cause: error },
    );
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The bytes of a database file, to read from memory instead of in place, or null when a writer
 * has it open (its -wal exists, so the file alone is not the whole database; SQLite then reads
 * it through the writer's -wal and -shm, creating nothing). In memory there is no WAL, so the
 * copy's header (bytes 18 and 19) says "rollback journal"; the file itself is not touched.
 */
export function readDatabaseCopy(path: string): Buffer | null {
  const wal = `${path}-wal`;
  if (existsSync(wal)) return null;
  const before = statSync(path);
  const bytes = readFileSync(path);
  const after = statSync(path);
  // A writer that came and went while we read may have checkpointed into the file: read in place.
  if (existsSync(wal) || before.mtimeMs !== after.mtimeMs || before.size !== after.size) return null;
  if (bytes.length >= 100 && bytes.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    bytes[18] = 1;
    bytes[19] = 1;
  }
  return bytes;
}
