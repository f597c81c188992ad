import type { Objective } from '../study/objective.js';
import { runObjective, type RunObjectiveOptions } from '../objectives/module/run-objective.js';
import type { ReportStep, SuggestParam, TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { TrialExecutor } from './executor.js';
import { askedAfterEnd } from './suggestions.js';

/**
 * Runs a function objective on this thread, `concurrency` trials interleaved at their awaits
 * (Optuna's n_jobs): what `study.optimize(fn)` uses, since functions cannot cross to a worker.
 */
export class InProcessExecutor implements TrialExecutor {
  readonly concurrency: number;
  readonly #objective: Objective;
  readonly #options: RunObjectiveOptions;

  constructor(objective: Objective, concurrency: number, options: RunObjectiveOptions = { saveModels: false }) {
    this.#objective = objective;
    this.concurrency = concurrency;
    this.#options = options;
  }

  async run(trial: TrialInfo, hooks: TrialHooks, cancel?: AbortSignal): Promise<TrialOutcome> {
    // One report at a time, in order, as from a worker: an objective need not await each one.
    let answered: Promise<unknown> = Promise.resolve();
    const inOrder: ReportStep = (step, metrics) => {
      const decision = answered.then(() => hooks.report(step, metrics));
      answered = decision;
      return decision;
    };
    // Suggestions go straight to the study, as they come; those in flight are waited for at the end.
    const suggesting = new Set<Promise<unknown>>();
    let ended = false;
    const suggest: SuggestParam = (name, spec) => {
      if (ended) return askedAfterEnd(name);
      const answer = hooks.suggest(name, spec);
      const settled = answer.then(() => undefined, () => undefined);
      suggesting.add(settled);
      void settled.then(() => suggesting.delete(settled));
      return answer;
    };
    // A function on this thread cannot be killed: on cancel, stop waiting for it (its later
    // reports are answered "stop" by the caller and not stored).
    const cancelled = new Promise<TrialOutcome>((resolve) => {
      const done = () => resolve({ status: 'failed', error: 'cancelled after the grace period', fatal: false, reports: 0 });
      if (cancel?.aborted) done();
      else cancel?.addEventListener('abort', done, { once: true });
    });
    const outcome = await Promise.race([runObjective(this.#objective, trial, inOrder, suggest, this.#options), cancelled]);
    ended = true;
    if (cancel?.aborted) return outcome;
    await answered;
    await Promise.all(suggesting);
    return outcome;
  }

  async close(): Promise<void> {}
}
