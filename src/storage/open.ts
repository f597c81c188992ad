import { HpsearchError } from '../errors.js';
import { openSqliteStorage } from './sqlite/sqlite-storage.js';
import type { Storage } from './storage.js';

/** Where studies live when the user names no storage. */
export const DEFAULT_DB_PATH = 'runs/hpsearch.db';

export interface OpenStorageOptions {
  /** Open an existing, up-to-date database for reading only (default false: create or upgrade it). */
  readonly?: boolean;
  /** Opening for writing, check the whole file first and refuse a damaged one (default true). */
  verify?: boolean;
}

/**
 * Opens the storage at `location`: a file path (or `:memory:`) is an SQLite database, created
 * with its folder if missing; a `postgres://` (or `postgresql://`) URL is a PostgreSQL database,
 * whose schema is created or migrated on first use.
 */
export async function openStorage(location: string = DEFAULT_DB_PATH, options: OpenStorageOptions = {}): Promise<Storage> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    // Loaded only when used: SQLite users never load the pg client.
    const { openPostgresStorage } = await import('./postgres/postgres-storage.js');
    return openPostgresStorage(location);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new HpsearchError('E_USAGE', `unknown storage ${location.replace(/:[^:@/]*@/, ':***@')}: give a postgres:// URL or an SQLite file path`);
  }
  if (location.trim() === '') throw new HpsearchError('E_USAGE', 'the storage location is empty; give a database file path');
  return openSqliteStorage(location, { readonly: options.readonly ?? false, verify: options.verify ?? true });
}
