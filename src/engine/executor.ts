import type { Metrics } from '../storage/storage.js';
import type { TrialOutcome } from '../worker/messages.js';
import type { TrialInfo } from '../worker/run-objective.js';

/** Runs trials somewhere (worker threads, or this thread) and says how each one ended. */
export interface TrialExecutor {
  /** How many trials it can run at once. */
  readonly concurrency: number;
  /** Never rejects for a trial's own failure: that comes back as a `failed` outcome. */
  run(trial: TrialInfo, onReport: (step: number, metrics: Metrics) => void): Promise<TrialOutcome>;
  close(): Promise<void>;
}
