import pg from 'pg';

/** Connections per process: the main thread writes one statement or transaction at a time, plus reads. */
const POOL_SIZE = 4;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * bigint columns (ids, numbers, times in ms, seeds) as JS numbers, not the driver's default
 * strings: every value hpsearch stores there is a safe integer. Set per pool, not on pg's global
 * parsers, so other users of pg in the process are not affected.
 */
const INT8_OID = 20;
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** A connection pool for one hpsearch database; connections are made on first use. */
export function createPool(url: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'hpsearch', types: TYPES,
  });
  // An idle connection the server dropped (restart, idle timeout) is an 'error' event, which
  // unhandled would end the process: the pool discards it, and the next query connects afresh.
  pool.on('error', () => undefined);
  return pool;
}
