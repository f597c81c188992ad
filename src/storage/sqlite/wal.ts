import type Database from 'better-sqlite3';
import { HpsearchError } from '../../errors.js';

/** How long a writer waits for another process's write lock before failing (SQLite's busy_timeout). */
export const BUSY_TIMEOUT_MS = 10_000;

/** Makes a writer wait up to BUSY_TIMEOUT_MS for another process's lock, instead of failing at once. */
export function waitForLocks(db: Database.Database): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Switches the file to WAL (it stays so: later opens find it set). The switch needs the file to
 * itself for a moment, and SQLite answers SQLITE_BUSY at once, without waiting out busy_timeout,
 * while another process holds it (two runs opening a new database together): so retry, with
 * growing pauses, for as long as busy_timeout would have waited.
 */
export function useWal(db: Database.Database): void {
  // Counted in pauses, not read off a clock, so a faked or stepped clock cannot stretch it.
  let waited = 0;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    const outOfTime = waited + pause > BUSY_TIMEOUT_MS;
    try {
      // It answers the mode it has after the pragma: the old one when it could not switch, and
      // always "memory" for an in-memory database, which has no journal file to share.
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode === 'wal' || mode === 'memory') return;
      if (outOfTime) throw new HpsearchError('E_STORAGE', `${db.name}: cannot switch to WAL mode (it stays "${String(mode)}")`);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || outOfTime) throw error;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    waited += pause;
  }
}
