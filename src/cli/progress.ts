import type { Direction } from '../space/types.js';
import { formatNumber } from '../format/numbers.js';

export interface ProgressState {
  /** Finished trials (complete, pruned or failed). */
  done: number;
  running: number;
  /** Failed trials, a subset of `done`. */
  failed: number;
  /** Pruned trials, a subset of `done`; shown once there are any. */
  pruned?: number;
  best: number | null;
}

export interface ProgressOptions {
  total: number;
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Prefix of the line; non-TTY lines default to `trials`. */
  label?: string;
  /** Trials finished before this run (a resumed study): the ETA counts only this run's pace. */
  alreadyDone?: number;
  /** Direction of the study; `best` is already the best in it, so it is informative only. */
  direction: Direction;
  now?: () => number;
  /** Minimum time between TTY redraws, default 100 ms. */
  intervalMs?: number;
}

/** Plain (non-TTY) output, e.g. CI logs, gets at most one line per this many ms. */
const PLAIN_INTERVAL_MS = 2000;
const MAX_BAR = 40;
const MIN_BAR = 5;

/**
 * Search progress on a stream. On a TTY one line redrawn in place; elsewhere plain lines when
 * trials finish. Both are throttled, except for the final state. No timers: output only happens
 * in update() and finish(), so a skipped update shows with the next call or at finish().
 */
export class ProgressReporter {
  readonly #total: number;
  readonly #stream: ProgressOptions['stream'];
  readonly #label: string | undefined;
  readonly #now: () => number;
  readonly #interval: number;
  readonly #tty: boolean;
  readonly #start: number;
  readonly #alreadyDone: number;
  #state: ProgressState = { done: 0, running: 0, failed: 0, best: null };
  #lastWrite = -Infinity;
  /** Whether the current state has not been shown yet. */
  #pending = false;
  #lineOpen = false;
  #finished = false;

  constructor(options: ProgressOptions) {
    this.#total = options.total;
    this.#stream = options.stream;
    this.#label = options.label;
    this.#now = options.now ?? Date.now;
    this.#interval = options.intervalMs ?? 100;
    this.#tty = options.stream.isTTY === true;
    this.#start = this.#now();
    this.#alreadyDone = options.alreadyDone ?? 0;
  }

  update(state: ProgressState): void {
    if (this.#finished) return;
    const previous = this.#state;
    this.#state = { ...state };
    const final = state.done >= this.#total;
    if (this.#tty) {
      this.#pending = true;
      if (final || this.#now() - this.#lastWrite >= this.#interval) this.#draw();
      return;
    }
    // Plain output reports finished trials only; running-count changes are not worth a line.
    if (state.done === previous.done && !this.#pending) return;
    this.#pending = true;
    if (final || this.#now() - this.#lastWrite >= PLAIN_INTERVAL_MS) this.#draw();
  }

  /** Shows the last state if throttling held it back, and ends the TTY line. Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#pending) this.#draw();
    if (this.#lineOpen) this.#stream.write('\n');
    this.#lineOpen = false;
  }

  #draw(): void {
    const now = this.#now();
    this.#lastWrite = now;
    this.#pending = false;
    const { done, running, failed, best } = this.#state;
    const pruned = this.#state.pruned ? ` pruned ${this.#state.pruned}` : '';
    const eta = this.#eta(now);
    const count = `${done}/${this.#total}`;
    const bestText = formatNumber(best);
    if (!this.#tty) {
      const label = this.#label ?? 'trials';
      this.#stream.write(
        `${label} ${count} running ${running}${pruned} failed ${failed} best ${bestText} eta ${eta}\n`,
      );
      return;
    }
    const prunedPart = this.#state.pruned ? `  pruned ${this.#state.pruned}` : '';
    const stats = `${count}  running ${running}${prunedPart}  failed ${failed}  best ${bestText}  eta ${eta}`;
    const prefix = this.#label === undefined ? '' : `${this.#label} `;
    // One column stays free: writing into the last one makes some terminals wrap, and a wrapped
    // line can no longer be redrawn with \r.
    // A pseudo-terminal may report 0 columns: treat that like an unknown width.
    const columns = Math.max(20, this.#stream.columns || 80) - 1;
    const barWidth = Math.min(MAX_BAR, columns - prefix.length - stats.length - 3);
    const bar = barWidth >= MIN_BAR ? `[${this.#bar(barWidth)}] ` : '';
    const line = [...`${prefix}${bar}${stats}`].slice(0, columns).join('');
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#lineOpen = true;
  }

  #bar(width: number): string {
    const ratio = this.#total > 0 ? Math.min(1, this.#state.done / this.#total) : 1;
    const filled = Math.floor(ratio * width);
    return '█'.repeat(filled) + '░'.repeat(width - filled);
  }

  /** Remaining trials times the average wall time per finished trial since the start. */
  #eta(now: number): string {
    const { done } = this.#state;
    // A resumed study starts with trials done by an earlier run: only this run's pace counts.
    const doneHere = done - this.#alreadyDone;
    const remaining = Math.max(0, this.#total - done);
    if (remaining === 0) return '0s';
    if (doneHere <= 0) return '--';
    return formatEta(((now - this.#start) / doneHere) * remaining);
  }
}

/** Coarser than formatDuration: an estimate has no use for tenths of a second. */
export function formatEta(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
