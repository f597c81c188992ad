import { HpsearchError } from '../errors.js';
import type { Objective } from '../study/objective.js';
import { availableParallelism } from 'node:os';
import type { Study } from '../study/study.js';
import type { TrialOutcome } from '../worker/messages.js';
import type { TrialExecutor } from './executor.js';
import { InProcessExecutor } from './in-process.js';
import { WorkerPoolExecutor, type WorkerObjective } from './worker-pool.js';
import type { BackendChoice, TaskSpec } from '../task/types.js';
import type { PrunerSpec } from '../pruners/pruner.js';
import { createPruner } from '../pruners/index.js';
import type { Params } from '../space/types.js';
import { taskForTrial } from '../task/settings.js';
import { TrialMonitor, type StopRules } from './trial-monitor.js';
import { checkBackendInstalled, nativeBackendRequested } from './native-backend.js';

/** A built-in training task as an objective (the space file's `objective.task`). */
export interface TaskObjective {
  task: TaskSpec;
  /** Default `auto`: the fastest backend that loads here. */
  backend?: BackendChoice;
}

/** A function (runs on this thread), a module path or a task (both run in worker threads). */
export type ObjectiveSource = Objective | string | TaskObjective;

export interface OptimizeOptions {
  /** Trials the study should hold when done, counting earlier ones (default: the space's `trials`). */
  trials?: number;
  /** Worker threads (module objectives) or concurrent trials (function objectives); default: CPU cores. */
  workers?: number;
  /** Stops dispatching new trials; running ones finish and are stored. */
  signal?: AbortSignal;
  onProgress?: (progress: OptimizeProgress) => void;
  /** Things the user should know about how the run was set up. */
  onNote?: (note: string) => void;
  /** Replaces the space's pruner for this run (CLI `--pruner`, `hpsearch compare`). */
  pruner?: PrunerSpec;
  /** Called as each trial of this run is stored, in the order they end. */
  onTrialEnd?: (event: TrialEndEvent) => void;
}

/** A trial of this run, as it was stored. */
export interface TrialEndEvent {
  number: number;
  state: 'complete' | 'pruned' | 'failed';
  /** The stored value (null for failed trials, or when the metric was NaN). */
  value: number | null;
  /** Steps (epochs) this trial reported. */
  steps: number;
  /** Steps reported by all of this run's trials so far, running ones included. */
  stepsTrained: number;
  /** Why it stopped before its last step (early stopping, divergence, the pruner), or its error; null when it ran to the end. */
  reason: string | null;
}

export interface OptimizeProgress {
  total: number;
  /** Finished trials of the study (complete, pruned or failed), earlier runs included. */
  done: number;
  running: number;
  failed: number;
  /** Pruned trials of the study (by the pruner or a divergence rule), earlier runs included. */
  pruned: number;
  best: number | null;
}

export interface OptimizeSummary {
  /** Trials this call ran to the end. */
  ran: number;
  failed: number;
  /** Trials the study holds now. */
  total: number;
  best: number | null;
  durationMs: number;
  /** True when the signal stopped the run before the budget was spent. */
  interrupted: boolean;
  workers: number;
  /** The TF.js backends this run's task trials trained on (empty for other objectives). */
  backends: string[];
  /** Trials of this run pruned (by the pruner or a divergence rule). */
  pruned: number;
  /** Trials of this run that completed early by the early-stopping rule. */
  stoppedEarly: number;
  /** Steps (epochs) reported by this run's trials. */
  stepsTrained: number;
  /** Steps the same trials would have reported without any stopping; null when unknown (a module objective without a max_resource). */
  stepsPlanned: number | null;
}

/**
 * The run loop: `workers` lanes, each asking for a trial, running it on the executor, storing
 * its reports and telling the result, until the budget is spent. Only this (main) thread writes.
 */
export async function optimizeStudy(
  study: Study,
  objective: ObjectiveSource,
  options: OptimizeOptions,
): Promise<OptimizeSummary> {
  const started = Date.now();
  const budget = options.trials ?? study.space.search.trials;
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new HpsearchError('E_USAGE', `trials must be a positive integer, got ${budget}`);
  }
  if (budget > study.sampler.capacity) {
    throw new HpsearchError(
      'E_USAGE',
      `the ${study.sampler.name} search of study "${study.name}" has ${study.sampler.capacity} points; ask for at most that many trials`,
    );
  }
  let workers = options.workers ?? defaultWorkers();
  if (!Number.isSafeInteger(workers) || workers < 1) {
    throw new HpsearchError('E_USAGE', `workers must be a positive integer, got ${workers}`);
  }
  if (typeof objective === 'object') checkBackendInstalled(objective.backend ?? 'auto');
  if (typeof objective === 'object' && workers > 1 && nativeBackendRequested(objective.backend ?? 'auto')) {
    // The tfjs-node addon is not context-aware: only one thread per process may load it.
    options.onNote?.(
      `the native TensorFlow backend allows one worker per process; running 1 worker (for more, start one process per GPU on the same database)`,
    );
    workers = 1;
  }

  const counts = await study.counts();
  const progress: OptimizeProgress = {
    total: budget,
    done: counts.complete + counts.pruned + counts.failed,
    running: 0,
    failed: counts.failed,
    pruned: counts.pruned,
    best: (await study.leaderboard({ top: 1 }))[0]?.value ?? null,
  };
  // Queued trials (given back by a stopped run, or enqueued) are still to run, within the budget.
  const remaining = Math.max(0, budget - (counts.complete + counts.pruned + counts.failed + counts.running));
  const lanes = Math.max(1, Math.min(workers, remaining));
  const summary: OptimizeSummary = {
    ran: 0,
    failed: 0,
    total: 0,
    best: progress.best,
    durationMs: 0,
    interrupted: false,
    workers: lanes,
    backends: [],
    pruned: 0,
    stoppedEarly: 0,
    stepsTrained: 0,
    stepsPlanned: 0,
  };
  const backends = new Set<string>();
  if (remaining === 0) return finish();
  // Before any worker starts: impossible pruner settings are the user's to fix.
  const rules = stopRules(study, options.pruner ?? study.space.pruner);
  const planned = plannedSteps(objective, options.pruner ?? study.space.pruner);

  const executor: TrialExecutor =
    typeof objective === 'function'
      ? new InProcessExecutor(objective, lanes)
      : new WorkerPoolExecutor(workerObjective(study, objective), lanes);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  let fatal: Error | null = null;
  const better = (a: number, b: number | null) => b === null || (study.direction === 'maximize' ? a > b : a < b);


  const lane = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const trial = await study.ask({ maxTrials: budget, signal: stop.signal });
      if (!trial) return;
      progress.running++;
      options.onProgress?.({ ...progress });
      const monitor = new TrialMonitor(trial, rules);
      const outcome: TrialOutcome = await executor.run(
        { study: study.name, number: trial.number, seed: trial.seed, params: trial.params },
        async (step, metrics) => {
          const before = monitor.steps;
          const stopNow = await monitor.report(step, metrics);
          summary.stepsTrained += monitor.steps - before;
          return stopNow;
        },
      );
      const end = monitor.end(outcome);
      const backend = outcome.attrs?.['backend'];
      if (typeof backend === 'string') backends.add(backend);
      await study.tell(trial, end.finish);
      const trialPlan = planned(trial.params);
      summary.stepsPlanned = summary.stepsPlanned === null || trialPlan === null ? null : summary.stepsPlanned + trialPlan;
      const { finish } = end;
      if (finish.state === 'complete') {
        if (end.stop) summary.stoppedEarly++;
        if (typeof finish.value === 'number' && better(finish.value, progress.best)) progress.best = finish.value;
      } else if (finish.state === 'pruned') {
        summary.pruned++;
        progress.pruned++;
      } else {
        progress.failed++;
        summary.failed++;
        if (outcome.status === 'failed' && outcome.fatal && !fatal) {
          fatal = new HpsearchError('E_OBJECTIVE', outcome.error);
          stop.abort();
        }
      }
      summary.ran++;
      progress.running--;
      progress.done++;
      options.onTrialEnd?.({
        number: trial.number,
        state: finish.state,
        value: typeof finish.value === 'number' && !Number.isNaN(finish.value) ? finish.value : null,
        steps: end.steps,
        stepsTrained: summary.stepsTrained,
        reason: end.reason,
      });
      options.onProgress?.({ ...progress });
    }
  };

  try {
    const results = await Promise.allSettled(
      Array.from({ length: lanes }, () =>
        lane().catch((error: unknown) => {
          stop.abort();
          throw error;
        }),
      ),
    );
    // A sampler that gave up because we stopped is not an error of its own.
    const failure = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && !(stop.signal.aborted && isAbort(r.reason)),
    );
    if (failure) throw failure.reason;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await executor.close();
  }
  if (fatal) throw fatal;
  summary.interrupted = options.signal?.aborted ?? false;
  return finish();

  async function finish(): Promise<OptimizeSummary> {
    const now = await study.counts();
    summary.total = Object.values(now).reduce((a, b) => a + b, 0);
    summary.best = (await study.leaderboard({ top: 1 }))[0]?.value ?? null;
    summary.durationMs = Date.now() - started;
    summary.backends = [...backends];
    return summary;
  }
}

/** The run's stopping rules: the space's early stopping and divergence rules, and `pruner`. */
function stopRules(study: Study, pruner: PrunerSpec): StopRules {
  return {
    study: study.name,
    direction: study.direction,
    metric: study.metric,
    pruner: createPruner(pruner, { metric: study.metric }),
    earlyStopping: study.space.earlyStopping,
    divergence: study.space.divergence,
    stepValues: (step) => study.storage.stepValues(study.id, study.metric, step),
  };
}

/**
 * The steps a trial would report if nothing stopped it: a task's epochs (params may override
 * them), else the pruner's max_resource; null when unknown.
 */
function plannedSteps(objective: ObjectiveSource, pruner: PrunerSpec): (params: Params) => number | null {
  if (typeof objective === 'object') return (params) => taskForTrial(objective.task, params).train.epochs;
  const max = 'maxResource' in pruner ? pruner.maxResource : null;
  return () => max;
}

function workerObjective(study: Study, objective: string | TaskObjective): WorkerObjective {
  if (typeof objective === 'string') return { type: 'module', module: objective };
  return { type: 'task', task: objective.task, metric: study.metric, backend: objective.backend ?? 'auto', studySeed: study.seed };
}

export function defaultWorkers(): number {
  return availableParallelism();
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
