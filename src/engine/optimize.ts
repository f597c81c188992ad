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
import { createExecutor, packingOf, plannedSteps, resolveObjective, settleObjective } from './objective-source.js';
import { PackFormer } from './packs.js';
import { RunAccounting } from './run-accounting.js';
import { checkRunSettings, type RunSettings } from './run-settings.js';
import { RunStop } from './run-stop.js';
import { claimTrial, releaseUnstarted, runPack, runTrial, type ClaimedTrial, type RunContext } from './run-trial.js';
import type { StopRules } from './trial-monitor.js';
import { pause } from '../pause.js';

export type { ObjectiveSource, OptimizeOptions, OptimizeProgress, OptimizeSummary, TrialEndEvent } from '../study/optimize-options.js';
export { defaultWorkers } from './run-settings.js';

/** How long running trials may go on after an interrupt before they are stopped and requeued. */
export const DEFAULT_GRACE_MS = 10_000;

export async function optimizeStudy(study: Study, objective: ObjectiveSource, options: OptimizeOptions = {}): Promise<OptimizeSummary> {
  const started = Date.now();
  const settings = checkRunSettings(study, options);
  const resolved = await settleObjective(study, resolveObjective(objective), options, settings.pack);
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
  const packing = await packingOf(study, resolved, settings.pack, options.onNote);
  const run: RunContext = {
    study,
    executor: createExecutor(study, resolved, {
      lanes, packs: packing !== null, memoryMb: options.workerMemoryMb, onNote: options.onNote, saveModels: settings.saveModels !== null,
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
  // Each lane's packs as large as the remaining trials allow: 100 trials on 2 lanes are 2 packs of 50 at most.
  const packSize = packing === null ? 1 : Math.min(packing.size, Math.ceil(remaining / lanes));
  const former = packing === null || packSize < 2 ? null : new PackFormer(packSize, (claimed) => packing.key(claimed.trial.params));
  try {
    await runLanes(run, lanes, liveness, settings, former);
    // The run stopped with trials claimed for packs that never started: back to the queue.
    for (const claimed of former?.takeAll() ?? []) await releaseUnstarted(run, claimed);
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
async function runLanes(run: RunContext, lanes: number, liveness: RunLiveness, settings: RunSettings, former: PackFormer | null): Promise<void> {
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, () =>
      (former === null ? lane(run, liveness, settings) : packLane(run, liveness, settings, former, lanes)).catch((error: unknown) => {
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
    if (!(await awaitOthers(run, liveness, settings))) return;
  }
}

/**
 * One lane of a packed run: claim trials into the run's pack groups (which every lane shares)
 * until one is a full pack, or the groups hold a pack's worth for each of the `lanes`, or the
 * budget is spent; then run the largest group; until the run stops.
 */
async function packLane(run: RunContext, liveness: RunLiveness, settings: RunSettings, former: PackFormer, lanes: number): Promise<void> {
  const { study, stop } = run;
  while (!stop.signal.aborted) {
    let pack: ClaimedTrial[] | null = null;
    // Claims stop at a full pack, or once the groups hold a pack's worth per lane (shapes that seldom repeat).
    while (pack === null && former.waiting < former.size * lanes && !stop.signal.aborted) {
      const trial = await study.ask({ maxTrials: settings.budget, signal: stop.signal });
      if (!trial) break;
      pack = former.add(claimTrial(run, trial));
    }
    if (stop.signal.aborted) {
      // A pack formed just as the run stopped never starts.
      for (const claimed of pack ?? []) await releaseUnstarted(run, claimed);
      return;
    }
    pack ??= former.takeLargest();
    if (pack !== null) {
      await runPack(run, pack);
      continue;
    }
    // Nothing waits, so the claims stopped because the budget is spent.
    if (!(await awaitOthers(run, liveness, settings))) return;
  }
}

/**
 * The budget is spent, but another run's trials may still fail to finish (it dies): waits a
 * while for them and requeues those its death left; false when none are running.
 */
async function awaitOthers(run: RunContext, liveness: RunLiveness, settings: RunSettings): Promise<boolean> {
  if (!(await liveness.othersRunning())) return false;
  await pause(Math.min(settings.heartbeatMs, 1000), run.stop.signal);
  await liveness.recover();
  return true;
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
