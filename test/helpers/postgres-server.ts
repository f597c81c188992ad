import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A real PostgreSQL server for tests: a throwaway cluster of Debian's PostgreSQL (apt-get install
 * -y postgresql), on a free port of 127.0.0.1 with trust authentication, in a temporary folder
 * removed afterwards. HPSEARCH_TEST_POSTGRES=postgres://user:pw@host:port/db uses that server
 * instead (its user must be allowed to create databases). Each test gets databases of its own.
 */

const run = promisify(execFile);

/** A server URL to use instead of starting one. */
export const EXTERNAL_POSTGRES = process.env['HPSEARCH_TEST_POSTGRES'] || null;

/** The newest /usr/lib/postgresql/<version>/bin holding initdb, or HPSEARCH_POSTGRES_BIN. */
export const POSTGRES_BIN = process.env['HPSEARCH_POSTGRES_BIN'] ?? findPostgresBin();

function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

export interface TestPostgres {
  /** `host:port` of the server. */
  server: string;
  /** A new, empty database; resolves to its URL (with `password` in it, if given: trust ignores it). */
  createDatabase(password?: string): Promise<string>;
  /** Runs one statement as the superuser in database `name` (from createDatabase's URL) and returns its rows. */
  sql<R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values?: unknown[]): Promise<R[]>;
  /** Drops the databases created so far. */
  dropDatabases(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (free a moment ago: the caller retries if it is taken by then). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let databases = 0;

/** Starts a throwaway server (or connects to HPSEARCH_TEST_POSTGRES); `stop` removes what it made. */
export async function startTestPostgres(): Promise<TestPostgres & { stop(): Promise<void> }> {
  const cluster = EXTERNAL_POSTGRES ? null : await startCluster();
  const adminUrl = EXTERNAL_POSTGRES ?? cluster!.url;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const created: string[] = [];
  const urlOf = (database: string, password?: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    if (password !== undefined) url.password = password;
    return url.toString();
  };
  const drop = async (names: string[]) => {
    // FORCE: a test that failed half-way may have left a connection open.
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  };
  const url = new URL(adminUrl);
  return {
    server: `${url.hostname}:${url.port || '5432'}`,
    async createDatabase(password) {
      // The pid keeps parallel runs against one external server apart.
      const name = `hpsearch_test_${process.pid}_${databases++}`;
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      created.push(name);
      return urlOf(name, password);
    },
    async sql<R extends pg.QueryResultRow>(databaseUrl: string, text: string, values: unknown[] = []) {
      const client = new pg.Client({ connectionString: urlOf(new URL(databaseUrl).pathname.slice(1)) });
      await client.connect();
      try {
        return (await client.query<R>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async dropDatabases() {
      await drop(created.splice(0));
    },
    async stop() {
      try {
        if (!cluster) await drop(created.splice(0));
      } finally {
        await admin.end().catch(() => undefined);
        await cluster?.stop();
      }
    },
  };
}

interface Cluster {
  url: string;
  stop(): Promise<void>;
}

/** initdb refuses to run as root, so as root the cluster belongs to (and runs as) `postgres`. */
function asServerUser(): { prefix: string[]; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('postgres:'));
  if (!entry) throw new Error('running as root, the test PostgreSQL server needs the user "postgres" (created by apt-get install postgresql)');
  const [, , uid, gid] = entry.split(':');
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(uid), gid: Number(gid) };
}

async function startCluster(): Promise<Cluster> {
  if (!POSTGRES_BIN) {
    throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin: apt-get install -y postgresql, or set HPSEARCH_TEST_POSTGRES');
  }
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const tool = async (name: string, args: string[]) => {
    const [command, ...rest] = [...(user?.prefix ?? []), join(POSTGRES_BIN, name), ...args];
    return run(command!, rest, { timeout: 60_000 });
  };
  const stopNow = () => {
    try {
      execFileSync(...splitCommand([...(user?.prefix ?? []), join(POSTGRES_BIN, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']), { stdio: 'ignore' });
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // If the test process ends without afterAll (a crash, a timeout), the server must not outlive it.
  process.once('exit', stopNow);
  try {
    await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    // The port was free a moment ago; another process may take it first, so try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // Durability is off: the data lives for one test run.
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        await tool('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '30', '-o', options, 'start']);
        return {
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          async stop() {
            process.removeListener('exit', stopNow);
            await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        if (attempt >= 3) {
          const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2_000) : '(no log)';
          throw new Error(`the test PostgreSQL server did not start: ${(error as Error).message}\n${serverLog}`);
        }
      }
    }
  } catch (error) {
    process.removeListener('exit', stopNow);
    stopNow();
    throw error;
  }
}

function splitCommand(parts: string[]): [string, string[]] {
  return [parts[0]!, parts.slice(1)];
}
