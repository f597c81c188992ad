import type { ReportStep, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';

/** Runs trials somewhere (worker threads, or this thread) and says how each one ended. */
export interface TrialExecutor {
  /** How many trials it can run at once. */
  readonly concurrency: number;
  /**
   * Never rejects for a trial's own failure: that comes back as a `failed` outcome. `onReport`
   * is called for each reported step, in order, one at a time; its answer (stop or not) goes
   * back to the trial. Resolves once every report has been answered. When `cancel` aborts, the
   * trial is stopped (its worker thread terminated) and the outcome is of no use: the caller
   * puts the trial back in the queue.
   */
  run(trial: TrialInfo, onReport: ReportStep, cancel?: AbortSignal): Promise<TrialOutcome>;
  close(): Promise<void>;
}
