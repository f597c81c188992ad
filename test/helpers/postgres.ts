import { afterAll, beforeAll, describe } from 'vitest';
import { EXTERNAL_POSTGRES, POSTGRES_BIN, startTestPostgres, type TestPostgres } from './postgres-server.js';

// The vitest side of the test server (postgres-server.ts has no vitest in it, so `npm run bench` uses it too).
export * from './postgres-server.js';

/**
 * A describe block that needs a PostgreSQL server. CI installs one (.ci/run), so there a missing
 * one fails the run; elsewhere the block is skipped, its name saying how to get one.
 */
export function describePostgres(name: string, body: () => void): void {
  if (EXTERNAL_POSTGRES || POSTGRES_BIN || process.env['CI']) describe(name, body);
  else {
    describe.skip(`${name} (skipped: no PostgreSQL in /usr/lib/postgresql/*/bin; apt-get install -y postgresql, or set HPSEARCH_TEST_POSTGRES to a server URL)`, body);
  }
}

/** Starts a server before the tests of the enclosing describe and stops it after them. */
export function usePostgres(): () => TestPostgres {
  let instance: (TestPostgres & { stop(): Promise<void> }) | null = null;
  beforeAll(async () => {
    instance = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await instance?.stop();
    instance = null;
  });
  return () => {
    if (!instance) throw new Error('the test PostgreSQL server is not running (usePostgres() must be called in a describe block)');
    return instance;
  };
}

