import { dirname, resolve } from 'node:path';
import { HpsearchError } from '../../errors.js';
import { damagedMessage, readOnlyFolderMessage } from './file-checks.js';
import { notSqliteMessage } from './migrations.js';
import { BUSY_TIMEOUT_MS } from './wal.js';

/** The driver's error code (SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE, ...), or '' when there is none. */
export function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

/**
 * A driver error as E_STORAGE, saying what to do. Codes are SQLite's extended ones
 * (SQLITE_CORRUPT_INDEX, SQLITE_READONLY_DIRECTORY, ...), so families are matched by prefix.
 */
export function toStorageError(error: unknown, location: string, doing: string): HpsearchError {
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
