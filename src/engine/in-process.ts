import type { Metrics } from '../storage/storage.js';
import type { Objective } from '../study/objective.js';
import type { TrialOutcome } from '../worker/messages.js';
import { runObjective, type TrialInfo } from '../worker/run-objective.js';
import type { TrialExecutor } from './executor.js';

/**
 * Runs a function objective on this thread, `concurrency` trials interleaved at their awaits
 * (Optuna's n_jobs): what `study.optimize(fn)` uses, since functions cannot cross to a worker.
 */
export class InProcessExecutor implements TrialExecutor {
  readonly concurrency: number;
  readonly #objective: Objective;

  constructor(objective: Objective, concurrency: number) {
    this.#objective = objective;
    this.concurrency = concurrency;
  }

  run(trial: TrialInfo, onReport: (step: number, metrics: Metrics) => void): Promise<TrialOutcome> {
    return runObjective(this.#objective, trial, onReport);
  }

  async close(): Promise<void> {}
}
