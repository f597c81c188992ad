import { HpsearchError } from '../../errors.js';

/** A PostgreSQL URL taken apart for messages: never holding the password in anything it prints. */
export interface PostgresTarget {
  /** The URL with any password removed: `Storage.location`. */
  location: string;
  /** `host:port` the driver connects to, for "cannot reach" messages. */
  server: string;
  /** The password as written in the URL and decoded, to scrub from driver messages (empty: none). */
  secrets: string[];
}

const DEFAULT_PORT = '5432';

export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    // The text itself is not repeated: it may hold a password.
    throw new HpsearchError('E_USAGE', 'the PostgreSQL URL is not valid; write it as postgres://user:password@host:port/database', { cause: error });
  }
  if (!/^postgres(ql)?:$/i.test(parsed.protocol)) {
    throw new HpsearchError('E_USAGE', `a PostgreSQL URL starts with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
  const secrets = new Set<string>();
  if (parsed.password !== '') {
    secrets.add(parsed.password);
    try {
      secrets.add(decodeURIComponent(parsed.password));
    } catch {
      // A malformed escape: the raw form is all the driver can echo.
    }
    parsed.password = '';
  }
  const queryPassword = parsed.searchParams.get('password');
  if (queryPassword !== null) {
    if (queryPassword !== '') secrets.add(queryPassword);
    parsed.searchParams.delete('password');
  }
  // ?host= overrides the URL's host (e.g. a Unix socket folder), as in libpq and pg.
  const host = parsed.searchParams.get('host') ?? (parsed.hostname || process.env['PGHOST'] || 'localhost');
  const port = parsed.searchParams.get('port') ?? (parsed.port || process.env['PGPORT'] || DEFAULT_PORT);
  return { location: parsed.toString(), server: `${host}:${port}`, secrets: [...secrets].sort((a, b) => b.length - a.length) };
}

/** Replaces every occurrence of a secret in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Network failures: the server is down, unknown, or unreachable. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOENT']);

/** Transaction conflicts PostgreSQL asks the client to retry. */
export function isRetryable(error: unknown): boolean {
  const code = codeOf(error);
  return code === '40P01' || code === '40001';
}

export function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

/**
 * A driver error as E_STORAGE, saying what to do. Codes are PostgreSQL's SQLSTATEs (28P01,
 * 3D000, ...) or Node's network codes; messages are scrubbed of the password, whatever
 * produced them.
 */
export function toStorageError(error: unknown, target: PostgresTarget, doing: string): HpsearchError {
  if (error instanceof HpsearchError) return error;
  const code = codeOf(error);
  const raw = error instanceof Error ? error.message || code : String(error);
  const message = scrub(raw, target.secrets);
  const failed = `${target.location}: ${doing} failed`;
  // The cause keeps the stack for debugging, but its message may not be printed as is.
  const cause = error instanceof Error ? Object.assign(new Error(message), { code, stack: scrub(error.stack ?? '', target.secrets) }) : message;
  const make = (text: string) => new HpsearchError('E_STORAGE', text, { cause });
  if (UNREACHABLE.has(code) || /timeout expired|Connection terminated/i.test(raw)) {
    return make(`${failed}: cannot reach the PostgreSQL server at ${target.server} (${message}); check that it is running and that the URL's host and port are right`);
  }
  if (code === '28P01' || code === '28000') {
    return make(`${failed}: the server at ${target.server} refused the login (${message}); check the user and password in the URL (or PGPASSWORD, ~/.pgpass)`);
  }
  if (code === '3D000') {
    return make(`${failed}: ${message} on ${target.server}; create it first (createdb NAME) or fix the URL`);
  }
  if (code === '42501') {
    return make(`${failed}: ${message}; the URL's user needs the rights to create and write tables in this database`);
  }
  if (code === '53300') return make(`${failed}: ${message}; the server has no free connections, try again later or raise max_connections`);
  if (code.startsWith('57P')) return make(`${failed}: the server at ${target.server} is shutting down or restarting (${message}); run again once it is up`);
  if (code === '53100') return make(`${failed}: ${message}; the server's disk is full: free some space and run again`);
  return make(`${failed}: ${message}`);
}
