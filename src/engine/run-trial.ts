/**
 * One trial of a run, from the claim to the stored result (Optuna's `_run_trial`): dispatch it
 * to the executor, store and judge its reports, give it back if the run was stopped, drop the
 * result if another run took the trial over, tell the study how it ended.
 */
import { HpsearchError } from '../errors.js';
import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { Params, SaveModels } from '../space/types.js';
import type { OptimizeOptions } from '../study/optimize-options.js';
import { isTakenOver, type Study } from '../study/study.js';
import type { AskedTrial } from '../study/trial.js';
import type { TrialExecutor } from './executor.js';
import type { RunAccounting } from './run-accounting.js';
import type { RunLiveness } from './liveness.js';
import type { RunStop } from './run-stop.js';
import { TrialMonitor, type MonitoredEnd, type StopRules } from './trial-monitor.js';

/** What every trial of a run shares. */
export interface RunContext {
  readonly study: Study;
  readonly executor: TrialExecutor;
  readonly rules: StopRules;
  /** The steps a trial with these params would report without stopping; null when unknown. */
  readonly planned: (params: Params) => number | null;
  readonly accounting: RunAccounting;
  readonly stop: RunStop;
  /** Beats for the run's trials, and knows which it holds. */
  readonly liveness: RunLiveness;
  readonly options: OptimizeOptions;
  /** Which trained models the run keeps; null: none. */
  readonly saveModels: SaveModels | null;
  /** The first failure that stops the whole run (a fatal trial error, --max-failures); thrown when the lanes are done. */
  fatal: Error | null;
  /** Trials of this run whose worker process died during them once: the next time, they are stored failed. */
  readonly lostOnce: Set<number>;
}

/**
 * A trial this run has claimed: its reports' judge, and the switch a beat that finds it taken
 * over flips. Held (its heartbeats kept) from the claim, which for a pack's member may come
 * before its pack starts.
 */
export interface ClaimedTrial {
  readonly trial: AskedTrial;
  readonly monitor: TrialMonitor;
  /** Aborted when this run finds it no longer holds the trial: a write refused, or a beat that missed it. */
  readonly lost: AbortController;
}

/** Holds a trial the run has just claimed. */
export function claimTrial(run: RunContext, trial: AskedTrial): ClaimedTrial {
  run.accounting.started();
  const claimed = { trial, monitor: new TrialMonitor(trial, run.rules), lost: new AbortController() };
  run.liveness.hold(trial, () => claimed.lost.abort());
  return claimed;
}

export async function runTrial(run: RunContext, trial: AskedTrial): Promise<void> {
  await runClaimed(run, claimTrial(run, trial));
}

/**
 * Trials of one pack (the kind's pack key agrees), trained together by one worker. Each member is
 * judged, stored and given back exactly as a trial alone: a member taken over is stopped at its
 * next report (the others go on), and the run's cancel (the grace period ran out) stops the pack.
 */
export async function runPack(run: RunContext, pack: readonly ClaimedTrial[]): Promise<void> {
  // One taken over while it waited for its pack never starts.
  const members: ClaimedTrial[] = [];
  for (const claimed of pack) {
    if (claimed.lost.signal.aborted) dropTakenOver(run, claimed.trial);
    else members.push(claimed);
  }
  if (members.length === 0) return;
  const runPackOn = run.executor.runPack?.bind(run.executor);
  if (members.length === 1 || runPackOn === undefined) {
    for (const claimed of members) await runClaimed(run, claimed);
    return;
  }
  const cancels = members.map(() => run.stop.trialCancel());
  // The run's cancel switches all flip together (RunStop): any of them stops the pack.
  const cancelled = AbortSignal.any(cancels.map((c) => c.signal));
  let outcomes: TrialOutcome[];
  try {
    outcomes = await runPackOn(
      members.map((claimed) => infoOf(run, claimed.trial)),
      members.map((claimed, i) => hooksOf(run, claimed, AbortSignal.any([cancels[i]!.signal, claimed.lost.signal]))),
      cancelled,
    );
  } finally {
    for (const cancel of cancels) run.stop.release(cancel);
  }
  for (let i = 0; i < members.length; i++) await settleTrial(run, members[i]!, cancels[i]!.signal, outcomes[i]!);
}

/** A claimed trial alone (a pack of one). */
async function runClaimed(run: RunContext, claimed: ClaimedTrial): Promise<void> {
  const cancel = run.stop.trialCancel();
  const stopped = AbortSignal.any([cancel.signal, claimed.lost.signal]);
  let outcome: TrialOutcome;
  try {
    outcome = await run.executor.run(infoOf(run, claimed.trial), hooksOf(run, claimed, stopped), stopped);
  } finally {
    run.stop.release(cancel);
  }
  await settleTrial(run, claimed, cancel.signal, outcome);
}

/** A claimed trial that never started (the run stopped before its pack did): back to the queue. */
export async function releaseUnstarted(run: RunContext, claimed: ClaimedTrial): Promise<void> {
  if (claimed.lost.signal.aborted || !(await run.study.release(claimed.trial))) return dropTakenOver(run, claimed.trial);
  run.liveness.letGo(claimed.trial);
  run.accounting.dropped('released');
}

function infoOf(run: RunContext, trial: AskedTrial): TrialInfo {
  return { study: run.study.name, number: trial.number, seed: trial.seed, params: trial.params };
}

/** The trial's hooks: its reports judged by its monitor, its params asked of the study; `stopped`: no longer this run's to answer. */
function hooksOf(run: RunContext, { trial, monitor, lost }: ClaimedTrial, stopped: AbortSignal): TrialHooks {
  const { study, accounting } = run;
  return {
    report: async (step, metrics) => {
      // Stopped after the grace period, or taken over: its reports are no longer this run's to store.
      if (stopped.aborted) return true;
      const before = monitor.steps;
      const stopNow = await monitor.report(step, metrics);
      accounting.stepsReported(monitor.steps - before);
      if (isTakenOver(monitor.failure)) lost.abort();
      return stopNow;
    },
    suggest: async (name, spec) => {
      // Nor its params: a trial given back is drawn afresh, and one taken over is another run's.
      if (stopped.aborted) throw new HpsearchError('E_USAGE', `trial ${trial.number} is stopping: no more params are given to it`);
      try {
        return await study.suggest(trial, name, spec);
      } catch (error) {
        if (isTakenOver(error)) lost.abort();
        throw error;
      }
    },
  };
}

/** After the trial ran: stores how it ended, or gives it back (cancelled, its process lost), or drops it (taken over). */
async function settleTrial(run: RunContext, { trial, monitor, lost }: ClaimedTrial, cancelled: AbortSignal, outcome: TrialOutcome): Promise<void> {
  const { study, accounting } = run;
  if (lost.signal.aborted) return dropTakenOver(run, trial);
  if (cancelled.aborted) {
    // Back to the queue, its reports with it; unless another run took it over meanwhile.
    if (!(await study.release(trial))) return dropTakenOver(run, trial);
    run.liveness.letGo(trial);
    accounting.dropped('released');
    return;
  }
  if (outcome.status === 'lost' && !monitor.stopped) {
    if (!run.lostOnce.has(trial.number)) return runAgain(run, trial, outcome.error);
    // A trial that takes its process down every time (it runs out of memory) must not loop.
    outcome = { ...outcome, error: `${outcome.error}, as one did the first time it ran: stored failed rather than run a third time` };
  }
  const backend = outcome.attrs?.backend;
  if (backend !== undefined) accounting.ranOn(backend);
  const end = await tellEnd(study, trial, monitor, outcome);
  if (end === null) return dropTakenOver(run, trial);
  await keepModel(run, trial, outcome, end);
  run.liveness.letGo(trial);
  accounting.ended(trial.number, end, run.planned(trial.params));
  const failure = runFailure(run, trial, outcome, end);
  if (failure && !run.fatal) {
    // Running trials finish and are stored; no new ones start.
    run.fatal = failure;
    run.stop.stopNewTrials();
  }
}

/**
 * The trial's worker process died during it (a crash, an out-of-memory kill): its result is
 * unknown, so it goes back to the queue, its steps deleted, and runs again from the start.
 */
async function runAgain(run: RunContext, trial: AskedTrial, why: string): Promise<void> {
  run.lostOnce.add(trial.number);
  if (!(await run.study.release(trial))) return dropTakenOver(run, trial);
  run.liveness.letGo(trial);
  run.options.onNote?.(`trial ${trial.number}: ${why}; it goes back to the queue and runs again from the start, in a new worker process`);
  run.accounting.dropped('restarted');
}

/** Another run took the trial over (this run stalled): its claim is not this run's, so neither is its result. */
function dropTakenOver(run: RunContext, trial: AskedTrial): void {
  run.liveness.letGo(trial);
  run.options.onNote?.(`trial ${trial.number} was taken over by another run (its heartbeats stopped); this run's result for it is dropped`);
  run.accounting.dropped('taken-over');
}

/**
 * Stores how the trial ended; null when another run had taken it over (this run's heartbeats had
 * stopped). A report that failed to store is rethrown here.
 */
async function tellEnd(study: Study, trial: AskedTrial, monitor: TrialMonitor, outcome: TrialOutcome): Promise<MonitoredEnd | null> {
  try {
    const end = monitor.end(outcome);
    await study.tell(trial, end.finish);
    return end;
  } catch (error) {
    if (isTakenOver(error)) return null;
    throw error;
  }
}

/**
 * Keeps the trained model of a trial that completed (early-stopped ones too), if the run keeps
 * models and it sent one; the study deletes the models of trials no longer among the best.
 * Pruned and failed trials keep none. The trial's end is stored under its claim already, and a
 * finished trial is never taken over, so this write is this run's.
 */
async function keepModel(run: RunContext, trial: AskedTrial, outcome: TrialOutcome, end: MonitoredEnd): Promise<void> {
  if (run.saveModels === null || end.finish.state !== 'complete') return;
  const model = outcome.status === 'complete' || outcome.status === 'stopped' ? outcome.model : undefined;
  if (model !== undefined) await run.study.keepModel(trial, model, run.saveModels);
}

/** The error that stops the run after this trial: a fatal failure (one that every trial would hit), or --max-failures reached. */
function runFailure(run: RunContext, trial: AskedTrial, outcome: TrialOutcome, end: MonitoredEnd): Error | null {
  if (end.finish.state !== 'failed') return null;
  if (outcome.status === 'failed' && outcome.fatal) return new HpsearchError('E_OBJECTIVE', outcome.error);
  const { maxFailures } = run.options;
  const { failed } = run.accounting.summary;
  if (maxFailures === undefined || failed < maxFailures) return null;
  return new HpsearchError(
    'E_OBJECTIVE',
    `stopped after ${failed} failed trial${failed === 1 ? '' : 's'} (--max-failures ${maxFailures}); ` +
      `the last one (trial ${trial.number}): ${end.finish.error ?? 'no reason given'}. Fix the objective, or raise --max-failures`,
  );
}
