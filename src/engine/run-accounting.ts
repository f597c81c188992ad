/**
 * What a run counts while it goes: the progress it shows (the whole study's trials) and the
 * summary it returns (this run's own). One object owns both, so every event updates them alike.
 */
import type { Direction } from '../space/types.js';
import type { TrialState } from '../trial-state.js';
import type { OptimizeOptions, OptimizeProgress, OptimizeSummary } from '../study/optimize-options.js';
import type { MonitoredEnd } from './trial-monitor.js';

type Listeners = Pick<OptimizeOptions, 'onProgress' | 'onTrialEnd'>;

export class RunAccounting {
  readonly progress: OptimizeProgress;
  readonly summary: OptimizeSummary;
  readonly #direction: Direction;
  readonly #listeners: Listeners;
  readonly #backends = new Set<string>();

  constructor(budget: number, counts: Record<TrialState, number>, best: number | null, direction: Direction, listeners: Listeners) {
    this.#direction = direction;
    this.#listeners = listeners;
    this.progress = {
      total: budget,
      done: counts.complete + counts.pruned + counts.failed,
      running: 0,
      failed: counts.failed,
      pruned: counts.pruned,
      best,
    };
    this.summary = {
      ran: 0,
      failed: 0,
      total: 0,
      best,
      durationMs: 0,
      interrupted: false,
      released: 0,
      restarted: 0,
      takenOver: 0,
      recovered: 0,
      workers: 0,
      backends: [],
      pruned: 0,
      stoppedEarly: 0,
      stepsTrained: 0,
      stepsPlanned: 0,
    };
  }

  /** A trial of this run started. */
  started(): void {
    this.progress.running++;
    this.#emitProgress();
  }

  /**
   * A running trial left this run without a result of its own: put back in the queue (the run
   * stopped, or its worker process died and it runs again), or finished by another run.
   */
  dropped(reason: 'released' | 'restarted' | 'taken-over'): void {
    if (reason === 'released') this.summary.released++;
    else if (reason === 'restarted') this.summary.restarted++;
    else this.summary.takenOver++;
    this.progress.running--;
    this.#emitProgress();
  }

  stepsReported(count: number): void {
    this.summary.stepsTrained += count;
  }

  /** The TF.js backend a trial trained on (a task trial's `backend` attr). */
  ranOn(backend: string): void {
    this.#backends.add(backend);
    this.summary.backends = [...this.#backends];
  }

  /** A trial of this run was stored as `end` says; `planned`: the steps it would have reported without stopping. */
  ended(number: number, end: MonitoredEnd, planned: number | null): void {
    const { summary, progress } = this;
    summary.stepsPlanned = summary.stepsPlanned === null || planned === null ? null : summary.stepsPlanned + planned;
    const { finish } = end;
    if (finish.state === 'complete') {
      if (end.stop) summary.stoppedEarly++;
      if (typeof finish.value === 'number' && this.#better(finish.value, progress.best)) progress.best = finish.value;
    } else if (finish.state === 'pruned') {
      summary.pruned++;
      progress.pruned++;
    } else {
      progress.failed++;
      summary.failed++;
    }
    summary.ran++;
    progress.running--;
    progress.done++;
    this.#listeners.onTrialEnd?.({
      number,
      state: finish.state,
      value: typeof finish.value === 'number' && !Number.isNaN(finish.value) ? finish.value : null,
      steps: end.steps,
      stepsTrained: summary.stepsTrained,
      reason: end.reason,
    });
    this.#emitProgress();
  }

  #better(a: number, b: number | null): boolean {
    return b === null || (this.#direction === 'maximize' ? a > b : a < b);
  }

  #emitProgress(): void {
    this.#listeners.onProgress?.({ ...this.progress });
  }
}
