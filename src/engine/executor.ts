import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';

/** Runs trials somewhere (worker threads, worker processes, or this thread) and says how each one ended. */
export interface TrialExecutor {
  /** How many trials it can run at once. */
  readonly concurrency: number;
  /**
   * Never rejects for a trial's own failure: that comes back as a `failed` outcome.
   * `hooks.report` is called for each reported step, in order, one at a time; its answer (stop or
   * not) goes back to the trial. `hooks.suggest` is called for each param the trial asks for, as
   * it asks (not queued behind the reports); its value, or its error's message, goes back to the
   * trial. Resolves once every report and every param asked for has been answered; a param asked
   * for after the trial ended is refused without calling `hooks.suggest`. When `cancel` aborts,
   * the trial is stopped (its worker thread terminated) and the outcome is of no use: the caller
   * puts the trial back in the queue.
   */
  run(trial: TrialInfo, hooks: TrialHooks, cancel?: AbortSignal): Promise<TrialOutcome>;
  /**
   * Runs `trials` as one pack (the kind's pack job, in one worker): `hooks[i]` are trial i's, as
   * `run` uses them, and the outcomes come back aligned with `trials`. A member stops when its
   * report is answered with stop; the others go on. When `cancel` aborts, the whole pack is
   * stopped and its outcomes are of no use. Only executors of kinds that pack have it.
   */
  runPack?(trials: TrialInfo[], hooks: TrialHooks[], cancel?: AbortSignal): Promise<TrialOutcome[]>;
  close(): Promise<void>;
}
