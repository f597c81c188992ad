/**
 * What a trial run is, whoever runs it (a worker thread, or this thread for a function
 * objective): the trial it is given, how it reports steps, and how it ended. Objective kinds'
 * runners and the run loop both speak these types.
 */
import type { AskedSpec } from '../space/asked-spec.js';
import type { KindTrial } from '../space/objective-kind.js';
import type { Metrics, ParamValue } from '../space/types.js';
import type { ModelArtifact } from '../storage/model-artifact.js';
import type { TrialAttrs } from '../storage/storage.js';

/** The trial a runner is given: study, number, seed and params. */
export type TrialInfo = KindTrial;

/** What a trial's code is given to report a step: resolves to true when it should stop. */
export type ReportStep = (step: number, metrics: Metrics) => Promise<boolean>;

/**
 * What a trial's code is given to ask for a param while it runs (define-by-run): resolves to the
 * value the study gives `name` under `spec` (checked already, see asked-spec.ts), or rejects with
 * why not (an error whose message the trial fails with unless its code catches it).
 */
export type SuggestParam = (name: string, spec: AskedSpec) => Promise<ParamValue>;

/** What whoever runs a trial is given to talk to the study while it runs. */
export interface TrialHooks {
  /** Called for each reported step, in order, one at a time; its answer (stop or not) goes back to the trial. */
  report: ReportStep;
  /** Called for each param the trial asks for. */
  suggest: SuggestParam;
}

/**
 * What a trial ended with. `reports` counts the report messages the worker posted, so the
 * main thread can wait for all of them before storing the end (port messages and the piscina
 * result travel on different channels and may arrive in either order).
 * `fatal` marks problems that would fail every trial alike (the module cannot be loaded):
 * the run stops instead of burning its whole budget on them.
 */
export type TrialOutcome =
  /** `model`: the trained model, when the study keeps models (`save_models`) and the trial made one. */
  | { status: 'complete'; value: number; metrics: Metrics | null; reports: number; attrs?: TrialAttrs; model?: ModelArtifact }
  /** It ended because a decision said stop (the main thread knows why and what to store); early stopping keeps its value, and its model. */
  | { status: 'stopped'; reports: number; attrs?: TrialAttrs; model?: ModelArtifact }
  | { status: 'failed'; error: string; fatal: boolean; reports: number; attrs?: TrialAttrs }
  /**
   * The worker process running it died during the trial (a crash, an out-of-memory kill): its
   * code never ended, so its result is unknown and it may run again from the start.
   */
  | { status: 'lost'; error: string; reports: number; attrs?: TrialAttrs };

/**
 * A module a worker thread loads to run trials of one objective kind (`WorkerJob.runner`): it
 * gets the job's data, the trial, the report function and the suggest function (for a kind whose
 * trials ask for params while they run; runners written before it may leave it out), and never
 * rejects for the trial's own failure (that is a `failed` outcome).
 */
export interface TrialRunnerModule {
  runTrial(data: unknown, trial: TrialInfo, report: ReportStep, suggest: SuggestParam): Promise<TrialOutcome>;
  /**
   * A kind that packs trials (ObjectiveKind.pack) also trains several as one: outcomes aligned
   * with `trials`, each member's `reports` its own, and never a rejection for a trial's failure.
   */
  runPack?(data: unknown, trials: TrialInfo[], report: ReportMember): Promise<TrialOutcome[]>;
}

/** What a pack's code is given to report a step of member `member` (its index in the pack): resolves to true when that member should stop. */
export type ReportMember = (member: number, step: number, metrics: Metrics) => Promise<boolean>;

/** An error as a trial's stored reason: the first frames of its stack, or what was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = error.stack ?? `${error.name}: ${error.message}`;
    // The first frames say where it broke; a whole stack is noise in a leaderboard.
    return stack.split('\n').slice(0, 6).join('\n');
  }
  return `thrown value: ${String(error)}`;
}
