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
import { DEFAULT_HEARTBEAT_MS, DEFAULT_STALE_AFTER_MS, describeRecovered, recoverDeadRuns } from './liveness.js';

/** How long running trials may go on after an interrupt before they are stopped and requeued. */
export const DEFAULT_GRACE_MS = 10_000;

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
  /**
   * After `signal` aborts, how long running trials may go on before they are stopped and put
   * back in the queue for a resume (default 10 s; 0: at once).
   */
  graceMs?: number;
  /** Stop the run once this many of its trials have failed (default: never). */
  maxFailures?: number;
  /** Heap limit of each worker thread in MiB: a trial over it fails, its worker is replaced (default: Node's). */
  workerMemoryMb?: number;
  /** How often this run marks its trials alive (default 5 s). */
  heartbeatMs?: number;
  /** A trial of another run silent this long is taken for dead and run again (default 60 s). */
  staleAfterMs?: number;
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
  /** Trials of this run stopped after the grace period and put back in the queue. */
  released: number;
  /** Trials left running by dead runs that this run put back in the queue (and may have run). */
  recovered: number;
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

  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  if (!(heartbeatMs > 0) || !(staleAfterMs >= 3 * heartbeatMs)) {
    // Shorter, and a live run's trial could be taken for dead between two of its beats.
    throw new HpsearchError(
      'E_USAGE',
      `the stale-after time (${staleAfterMs / 1000} s) must be at least 3 heartbeats (${(3 * heartbeatMs) / 1000} s); raise --stale-after`,
    );
  }
  let recoveredCount = 0;
  const recover = async (): Promise<void> => {
    const recovered = await recoverDeadRuns(study.storage, study.id, staleAfterMs);
    if (recovered.length === 0) return;
    recoveredCount += recovered.length;
    options.onNote?.(describeRecovered(recovered));
  };
  // Trials a dead run left running count as unfinished: requeue them before sizing this run.
  await recover();

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
    released: 0,
    recovered: 0,
    workers: lanes,
    backends: [],
    pruned: 0,
    stoppedEarly: 0,
    stepsTrained: 0,
    stepsPlanned: 0,
  };
  const backends = new Set<string>();
  summary.recovered = recoveredCount;
  if (remaining === 0 && !(await othersRunning())) return finish();
  // Before any worker starts: impossible pruner settings are the user's to fix.
  const rules = stopRules(study, options.pruner ?? study.space.pruner);
  const planned = plannedSteps(objective, options.pruner ?? study.space.pruner);

  const executor: TrialExecutor =
    typeof objective === 'function'
      ? new InProcessExecutor(objective, lanes)
      : new WorkerPoolExecutor(workerObjective(study, objective), lanes, options.workerMemoryMb);
  const stop = new AbortController();
  // Running trials, each with its own cancel switch for when the grace period ends.
  const cancels = new Set<AbortController>();
  let graceTimer: NodeJS.Timeout | null = null;
  const onAbort = () => {
    stop.abort();
    const cancelAll = () => {
      for (const cancel of cancels) cancel.abort();
    };
    const grace = options.graceMs ?? DEFAULT_GRACE_MS;
    if (grace <= 0) cancelAll();
    else graceTimer = setTimeout(cancelAll, grace);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort);
  // Beats for this run's trials, and notices dead runs' trials while it waits for them.
  const beat = setInterval(() => {
    study.storage.heartbeat(study.owner).then(recover).catch(() => {
      /* the next beat tries again; a storage that stays broken fails the trials' own writes */
    });
  }, heartbeatMs);
  beat.unref();
  let fatal: Error | null = null;
  const better = (a: number, b: number | null) => b === null || (study.direction === 'maximize' ? a > b : a < b);


  const lane = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const trial = await study.ask({ maxTrials: budget, signal: stop.signal });
      if (!trial) {
        // The budget is spent, but another run's trials may still fail to finish (it dies):
        // wait for them, and run those that its death puts back in the queue.
        if (!(await othersRunning())) return;
        await pause(Math.min(heartbeatMs, 1000), stop.signal);
        await recover();
        continue;
      }
      progress.running++;
      options.onProgress?.({ ...progress });
      const monitor = new TrialMonitor(trial, rules);
      const cancel = new AbortController();
      cancels.add(cancel);
      let outcome: TrialOutcome;
      try {
        outcome = await executor.run(
          { study: study.name, number: trial.number, seed: trial.seed, params: trial.params },
          async (step, metrics) => {
            // Stopped after the grace period: the trial goes back to the queue, its reports with it.
            if (cancel.signal.aborted) return true;
            const before = monitor.steps;
            const stopNow = await monitor.report(step, metrics);
            summary.stepsTrained += monitor.steps - before;
            return stopNow;
          },
          cancel.signal,
        );
      } finally {
        cancels.delete(cancel);
      }
      if (cancel.signal.aborted) {
        await study.storage.releaseTrial(trial.id);
        summary.released++;
        progress.running--;
        options.onProgress?.({ ...progress });
        continue;
      }
      const backend = outcome.attrs?.['backend'];
      if (typeof backend === 'string') backends.add(backend);
      // Another run may have taken the trial over (this run's heartbeats had stopped) and finished it.
      let takenOver = false;
      let end: ReturnType<TrialMonitor['end']> | null = null;
      try {
        // end() rethrows a failed report; then tell() stores the result.
        end = monitor.end(outcome);
        await study.tell(trial, end.finish);
      } catch (error) {
        if (!finishedElsewhere(error)) throw error;
        takenOver = true;
      }
      if (takenOver || end === null) {
        // The first result stored stands; this one is dropped, and the run goes on.
        options.onNote?.(`trial ${trial.number} was finished by another run that had taken it over (this run's heartbeats had stopped reaching the storage); this run's result for it is dropped`);
        progress.running--;
        options.onProgress?.({ ...progress });
        continue;
      }
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
        } else if (options.maxFailures !== undefined && summary.failed >= options.maxFailures && !fatal) {
          // Running trials finish and are stored; no new ones start.
          fatal = new HpsearchError(
            'E_OBJECTIVE',
            `stopped after ${summary.failed} failed trial${summary.failed === 1 ? '' : 's'} (--max-failures ${options.maxFailures}); ` +
              `the last one (trial ${trial.number}): ${finish.error ?? 'no reason given'}. Fix the objective, or raise --max-failures`,
          );
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
    clearInterval(beat);
    if (graceTimer) clearTimeout(graceTimer);
    await executor.close();
  }
  if (fatal) throw fatal;
  summary.interrupted = options.signal?.aborted ?? false;
  return finish();

  /** Whether trials of other runs (other processes or hosts) are running in this study. */
  async function othersRunning(): Promise<boolean> {
    return (await study.storage.runningOwners(study.id)).some((owner) => owner !== study.owner);
  }

  async function finish(): Promise<OptimizeSummary> {
    summary.recovered = recoveredCount;
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

/** The storage said the trial already ended: another run finished it. */
function finishedElsewhere(error: unknown): boolean {
  return error instanceof HpsearchError && error.code === 'E_TRIAL_FINISHED';
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
