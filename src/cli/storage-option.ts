import type { Command } from 'commander';
import { HpsearchError } from '../errors.js';
import { DEFAULT_DB_PATH } from '../storage/open.js';

/** `--db PATH` (SQLite) and `--storage LOCATION` (a postgres:// URL or an SQLite path), on every command. */
export interface StorageFlags {
  db?: string;
  storage?: string;
}

/** The environment variable that names the storage when no flag does. */
export const STORAGE_ENV = 'HPSEARCH_STORAGE';

export function addStorageOptions(command: Command, dbHelp = 'SQLite database file'): Command {
  return command
    .option('--db <path>', `${dbHelp} (default: $${STORAGE_ENV}, else ${DEFAULT_DB_PATH})`)
    .option('--storage <location>', `where studies live: postgres://user:password@host:port/db, or an SQLite file path (default: $${STORAGE_ENV})`);
}

/** The storage a command uses: --storage, else --db, else $HPSEARCH_STORAGE, else `fallback`. */
export function storageLocation(flags: StorageFlags, fallback: string = DEFAULT_DB_PATH): string {
  if (flags.db !== undefined && flags.storage !== undefined) {
    throw new HpsearchError('E_USAGE', 'give --db or --storage, not both (--db is an SQLite file; --storage takes a postgres:// URL or a file)');
  }
  const env = process.env[STORAGE_ENV];
  return flags.storage ?? flags.db ?? (env !== undefined && env.trim() !== '' ? env : fallback);
}

/** The location as a user may read it: a URL's password replaced by ***. */
export function shownLocation(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

/** The flag that names `location` again in a hint ('' for the default database). */
export function storageFlag(location: string): string {
  if (location === DEFAULT_DB_PATH && process.env[STORAGE_ENV] === undefined) return '';
  return location.includes('://') ? ` --storage ${shownLocation(location)}` : ` --db ${location}`;
}
