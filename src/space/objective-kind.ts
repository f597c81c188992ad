/**
 * Objective kinds: what a trial runs, chosen by the key the space file gives under `objective:`
 * (`module: ./objective.mjs`, `task: { ... }`). The space format and the run loop are written
 * against this interface only; each kind (src/objectives/, src/task/) registers itself, so the
 * lower layers never import the trainer.
 *
 * A kind also adds its settings' type to `ObjectiveSpecs` (types.ts), and the object that `optimize`
 * takes for it to `ObjectiveSources`, by declaration merging, so `space.objective.task` stays typed.
 */
import type { ZodType } from 'zod';
import { HpsearchError } from '../errors.js';
import type { RawIssue } from './raw-issue.js';
import type { EarlyStoppingSpec } from './stopping-spec.js';
import type { PackSetting, Params, ParamSpecs } from './types.js';

/** What `optimizeStudy` accepts for each kind besides a function or a module path, by kind name. */
export interface ObjectiveSources {}

export interface KindCheckOptions {
  /** Where relative paths in the settings are resolved: the space file's folder. */
  baseDir: string;
  /** false: do not check that files named by the settings exist (a stored study whose files moved). */
  checkFiles: boolean;
}

export interface ParamCheckOptions {
  /**
   * true: the space was stored with a study (see `ValidateOptions.stored`); checks added since
   * studies were first stored let it pass.
   */
  stored: boolean;
}

/** What the run loop knows of the study when it turns a trial into work. */
export interface KindRunContext {
  /** The study's metric: the value a trial's result stands for. */
  metric: string;
  /** The study seed (e.g. a task's data split is the same for every trial of the study). */
  studySeed: number;
  /**
   * Whether the study keeps trained models (`save_models`, `--save-models`): the trial's worker
   * then sends its model with the outcome, and the run keeps it if the trial is among the best.
   */
  saveModels: boolean;
  /**
   * The study's early stopping, decided on the main thread: a worker that saves models runs the
   * same rule to know, with restore_best, which step's weights the trial's value is from.
   */
  earlyStopping: EarlyStoppingSpec | null;
}

/** A trial as the run loop hands it to a kind. */
export interface KindTrial {
  study: string;
  number: number;
  seed: number;
  params: Params;
}

/**
 * Work for a worker thread: `runner` is the URL of a module run inside the worker, whose
 * `runTrial(data, trial, report)` trains the trial; `data` is structured-cloned to it.
 */
export interface WorkerJob {
  runner: string;
  data: unknown;
}

/**
 * How to set up worker processes, for a kind whose trials cannot share a process: each worker is
 * then a child process of the run with one long-lived worker thread (e.g. a native addon that
 * only one thread per process may load, as tfjs-node's).
 */
export interface WorkerProcessSetup {
  /**
   * Environment of each worker process, on top of this one's, in place before anything loads
   * there (a native library reads it as it loads). A variable this process's environment already
   * sets wins: the user's own setting is kept.
   */
  env: Record<string, string>;
  /** A line of the processes' stderr that is a library's own logging, not the trial's: it is never shown. */
  quiet?: RegExp;
  /** One line for the user on how the processes are set up, e.g. the library's thread count. */
  note?: string;
}

export interface ObjectiveKind<Spec = unknown, Options extends object = object> {
  /** The key of `objective:` that selects this kind. */
  readonly name: string;
  /** The value under that key, for the field checks and the editors' JSON Schema. */
  readonly schema: ZodType;
  /** The JSON Schema's description of the key. */
  readonly description: string;
  /**
   * Whether `check` reports every problem of the value itself, key by key (a nested mapping, as a
   * task is); otherwise the value is first checked against `schema` as one field.
   */
  readonly nested: boolean;
  /** The study metric when the file names none. */
  readonly defaultMetric: string;
  /**
   * The metrics the objective reports at every step, when known: stopping rules may watch only
   * these ("`reporter` reports `names` `when`", e.g. "a built-in task reports ... each epoch").
   */
  readonly stepMetrics?: { names: readonly string[]; reporter: string; when: string };
  /** Default monitors of the stopping rules; without one, the file must name it. */
  readonly earlyStoppingMonitor?: string;
  readonly divergenceMonitor?: string;

  /**
   * Checks `objective[name]` (and, for kinds that constrain it, `objective.metric`); returns the
   * normalised settings, or undefined with the problems pushed to `issues`.
   */
  check(objective: Record<string, unknown>, options: KindCheckOptions, issues: RawIssue[]): Spec | undefined;
  /** Checks params that override the kind's settings (`rawSettings`: the file's value under `name`). */
  checkParams?(rawSettings: unknown, params: ParamSpecs, rawParams: Record<string, unknown>, issues: RawIssue[], options: ParamCheckOptions): void;
  /** The steps a full trial reports, and where that number came from; undefined when unknown. */
  fullTrialSteps?(spec: Spec, params: ParamSpecs): { steps: number; source: string } | undefined;

  /** Fails before any worker starts when the run cannot work here (e.g. a backend not installed). */
  checkReady?(options: Options): void;
  /**
   * Settles the run options that are decided by measuring, before the first trial (the task
   * kind's `backend: auto` becomes the backend that trains this model fastest here). Resolves
   * to the options the run goes on with.
   */
  settle?(spec: Spec, options: Options, context: SettleContext): Promise<Options>;
  /**
   * Loads the objective the way a trial's worker would, in a thread of its own (never this one),
   * so that a space naming one that cannot run is refused before a study is created. Resolves to
   * the reason it cannot, reported at `objective.<name>`, or undefined.
   */
  probe?(spec: Spec): Promise<string | undefined>;
  /**
   * Whether the trials must each run in a worker process of their own rather than a worker thread
   * of the run's process, given the run's options and how many run at once; undefined: threads.
   */
  workerProcesses?(options: Options, processes: number): WorkerProcessSetup | undefined;
  /** The steps a trial with these params reports if nothing stops it; null when unknown. */
  plannedSteps(spec: Spec, params: Params): number | null;
  /** The worker job of one trial. */
  workerJob(spec: Spec, trial: KindTrial, run: KindRunContext, options: Options): WorkerJob;
  /** For a kind that can train several trials as one computation (`--pack`); without it, every trial runs alone. */
  readonly pack?: KindPacking<Spec, Options>;
}

/**
 * Packing: trials whose tensors have the same shapes trained together in one worker task, as
 * one batched computation (the task kind's MLP on a native backend; src/engine/packs.ts).
 */
export interface KindPacking<Spec, Options> {
  /**
   * Trials with equal keys may share a pack (their shapes agree: architecture, batch size,
   * epochs, dataset, optimizer type...); null: this trial always runs alone.
   */
  key(spec: Spec, params: Params, options: Options): string | null;
  /**
   * How many trials a pack of this run takes: `asked` is `auto` or the K the user asked for. The
   * kind decides what auto means for the settled options (the backend chosen) and cuts any K to
   * what fits its memory bound; `why` says how, for the run's notes. 1: no packing.
   */
  size(spec: Spec, options: Options, params: ParamSpecs, asked: 'auto' | number): Promise<{ size: number; why: string }>;
  /** The worker job of a pack, members in order. */
  job(spec: Spec, trials: KindTrial[], run: KindRunContext, options: Options): WorkerJob;
}

/** What `settle` may use of the run: measurements the database keeps for every host, and the run's notes. */
export interface SettleContext {
  getMeasurement(key: string): Promise<{ value: unknown; measuredAt: number } | null>;
  putMeasurement(key: string, value: unknown): Promise<void>;
  studySeed: number;
  params: ParamSpecs;
  /** The run's `pack` setting: what a kind that packs measures its candidates with. */
  pack: PackSetting;
  onNote?: (note: string) => void;
}

const kinds = new Map<string, ObjectiveKind>();
/** Bumped by every registration, so schemas built from the kinds know when to rebuild. */
let revision = 0;

export function objectiveKindsRevision(): number {
  return revision;
}

/** Adds a kind; registering the same object again is a no-op, another one under a taken name an error. */
export function registerObjectiveKind(kind: ObjectiveKind): void {
  const existing = kinds.get(kind.name);
  if (existing === kind) return;
  if (existing) throw new HpsearchError('E_INTERNAL', `objective kind "${kind.name}" is registered twice`);
  kinds.set(kind.name, kind);
  revision++;
}

/** The registered kinds, in registration order. */
export function objectiveKinds(): ObjectiveKind[] {
  if (kinds.size === 0) {
    throw new HpsearchError(
      'E_INTERNAL',
      "no objective kinds are registered: import hpsearch's entry point (src/index.ts) or src/objectives/builtin.ts before reading space files",
    );
  }
  return [...kinds.values()];
}

export function objectiveKind(name: string): ObjectiveKind | undefined {
  return kinds.get(name);
}

/**
 * The kinds whose keys `objective` has, in registration order: one for a valid objective, none
 * or several for a file (or an `optimize` argument) that names none or too many.
 */
export function kindsNamedBy(objective: object): ObjectiveKind[] {
  return objectiveKinds().filter((kind) => (objective as Record<string, unknown>)[kind.name] !== undefined);
}

/** The kind of a checked objective: the one whose key it has. */
export function kindOfObjective(objective: object): { kind: ObjectiveKind; spec: unknown } | undefined {
  const [kind] = kindsNamedBy(objective);
  return kind && { kind, spec: (objective as Record<string, unknown>)[kind.name] };
}
