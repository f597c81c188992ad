/**
 * The run loop (Optuna's `_optimize`): check the options, requeue what dead runs left, then run
 * `workers` lanes that each ask for a trial and run it (run-trial.ts) until the budget is spent.
 * Only this (main) thread writes to the storage.
 */
import { createPruner } from '../pruners/index.js';
import type { PrunerSpec } from '../space/pruner-spec.js';
import type { ObjectiveSource, OptimizeOptions, OptimizeSummary } from '../study/optimize-options.js';
import { registerRunLoop, type Study } from '../study/study.js';
import { RunLiveness } from './liveness.js';
import { createExecutor, plannedSteps, resolveObjective, settleObjective } from './objective-source.js';
import { RunAccounting } from './run-accounting.js';
import { checkRunSettings, type RunSettings } from './run-settings.js';
import { RunStop } from './run-stop.js';
import { runTrial, type RunContext } from './run-trial.js';
import type { StopRules } from './trial-monitor.js';
import { pause } from '../pause.js';

export type { ObjectiveSource, OptimizeOptions, OptimizeProgress, OptimizeSummary, TrialEndEvent } from '../study/optimize-options.js';
export { defaultWorkers } from './run-settings.js';

/** How long running trials may go on after an interrupt before they are stopped and requeued. */
export const DEFAULT_GRACE_MS = 10_000;

export async function optimizeStudy(study: Study, objective: ObjectiveSource, options: OptimizeOptions = {}): Promise<OptimizeSummary> {
  const started = Date.now();
  const settings = checkRunSettings(study, options);
  const resolved = await settleObjective(study, resolveObjective(objective), options);
  if (typeof resolved !== 'function') resolved.kind.checkReady?.(resolved.options);

  const liveness = new RunLiveness(study.storage, study.id, study.owner, settings.staleAfterMs, options.onNote);
  // Trials a dead run left running count as unfinished: requeue them before sizing this run.
  await liveness.recover();
  const counts = await study.counts();
  const accounting = new RunAccounting(settings.budget, counts, await bestValue(study), study.direction, options);
  // Queued trials (given back by a stopped run, or enqueued) are still to run, within the budget.
  const remaining = Math.max(0, settings.budget - (counts.complete + counts.pruned + counts.failed + counts.running));
  const lanes = Math.max(1, Math.min(settings.workers, remaining));
  accounting.summary.workers = lanes;
  if (remaining === 0 && !(await liveness.othersRunning())) return finish(study, accounting, liveness, started);

  // Before any worker starts: impossible pruner settings are the user's to fix.
  const pruner = options.pruner ?? study.space.pruner;
  const rules = stopRules(study, pruner);
  const run: RunContext = {
    study,
    executor: createExecutor(study, resolved, {
      lanes, memoryMb: options.workerMemoryMb, onNote: options.onNote, saveModels: settings.saveModels !== null,
    }),
    saveModels: settings.saveModels,
    rules,
    planned: plannedSteps(resolved, pruner),
    accounting,
    stop: new RunStop(options.signal, options.graceMs ?? DEFAULT_GRACE_MS),
    liveness,
    options,
    fatal: null,
    lostOnce: new Set(),
  };
  // Beats for this run's trials, and notices dead runs' trials while it waits for them.
  liveness.start(settings.heartbeatMs);
  try {
    await runLanes(run, lanes, liveness, settings);
  } catch (error) {
    // A trial whose result could not be stored (e.g. the storage failed during tell) is still
    // running in the storage: give it back now rather than leave it for --stale-after.
    await liveness.giveBack();
    throw error;
  } finally {
    run.stop.dispose();
    liveness.stop();
    await run.executor.close();
  }
  if (run.fatal) throw run.fatal;
  accounting.summary.interrupted = options.signal?.aborted ?? false;
  return finish(study, accounting, liveness, started);
}

registerRunLoop(optimizeStudy);

/** Runs the lanes to the end; the first error of one stops the others from starting trials, and is thrown. */
async function runLanes(run: RunContext, lanes: number, liveness: RunLiveness, settings: RunSettings): Promise<void> {
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      lane(run, liveness, settings).catch((error: unknown) => {
        run.stop.stopNewTrials();
        throw error;
      }),
    ),
  );
  // A sampler that gave up because we stopped is not an error of its own.
  const failure = results.find(
    (r): r is PromiseRejectedResult => r.status === 'rejected' && !(run.stop.signal.aborted && isAbort(r.reason)),
  );
  if (failure) throw failure.reason;
}

/** One lane: ask for a trial and run it, until the budget is spent or the run stops. */
async function lane(run: RunContext, liveness: RunLiveness, settings: RunSettings): Promise<void> {
  const { study, stop } = run;
  while (!stop.signal.aborted) {
    const trial = await study.ask({ maxTrials: settings.budget, signal: stop.signal });
    if (trial) {
      await runTrial(run, trial);
      continue;
    }
    // The budget is spent, but another run's trials may still fail to finish (it dies):
    // wait for them, and run those that its death puts back in the queue.
    if (!(await liveness.othersRunning())) return;
    await pause(Math.min(settings.heartbeatMs, 1000), stop.signal);
    await liveness.recover();
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

async function bestValue(study: Study): Promise<number | null> {
  return (await study.leaderboard({ top: 1 }))[0]?.value ?? null;
}

async function finish(study: Study, accounting: RunAccounting, liveness: RunLiveness, started: number): Promise<OptimizeSummary> {
  const { summary } = accounting;
  summary.recovered = liveness.recovered;
  const now = await study.counts();
  summary.total = Object.values(now).reduce((a, b) => a + b, 0);
  summary.best = await bestValue(study);
  summary.durationMs = Date.now() - started;
  return summary;
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
