/**
 * Turns what `optimize` was given into what runs it: an executor (this thread, worker threads or
 * worker processes), and the steps each trial plans.
 * Objects and module paths are looked up among the registered objective kinds, so the engine
 * knows no kind by its internals.
 */
import { HpsearchError } from '../errors.js';
import { kindsNamedBy, objectiveKinds, type ObjectiveKind } from '../space/objective-kind.js';
import type { PrunerSpec } from '../space/pruner-spec.js';
import type { PackSetting, Params } from '../space/types.js';
import type { Objective } from '../study/objective.js';
import type { ObjectiveSource, OptimizeOptions } from '../study/optimize-options.js';
import type { Study } from '../study/study.js';
import type { TrialExecutor } from './executor.js';
import { InProcessExecutor } from './in-process.js';
import { ProcessPoolExecutor } from './process-pool.js';
import { WorkerPoolExecutor, type JobForPack, type JobForTrial } from './worker-pool.js';

/** An objective given as a kind's settings: `{ module: path }`, `{ task, backend }`. */
export interface KindSource {
  kind: ObjectiveKind;
  spec: unknown;
  /** The whole object: the kind's run options (e.g. `backend`) travel with its settings. */
  options: Record<string, unknown>;
}

/** What runs the trials: a function (on this thread) as it is, else the kind the objective names. */
export type ResolvedObjective = Objective | KindSource;

export function resolveObjective(objective: ObjectiveSource): ResolvedObjective {
  if (typeof objective === 'function') return objective;
  // A path is a module objective.
  const options: Record<string, unknown> = typeof objective === 'string' ? { module: objective } : { ...objective };
  const named = kindsNamedBy(options);
  const kind = named[0];
  if (named.length !== 1 || kind === undefined) {
    const names = objectiveKinds().map((k) => k.name);
    throw new HpsearchError(
      'E_USAGE',
      `the objective must be a function, a module path, or an object with one of ${names.join(', ')}; got ${named.length === 0 ? 'none of them' : named.map((k) => k.name).join(' and ')}`,
    );
  }
  return { kind, spec: options[kind.name], options };
}

/** The kind's run options with what is decided by measuring settled (see ObjectiveKind.settle). */
export async function settleObjective(study: Study, objective: ResolvedObjective, options: OptimizeOptions, pack: PackSetting): Promise<ResolvedObjective> {
  if (typeof objective === 'function' || objective.kind.settle === undefined) return objective;
  const settled = await objective.kind.settle(objective.spec, objective.options, {
    getMeasurement: (key) => study.storage.getMeasurement(key),
    putMeasurement: (key, value) => study.storage.putMeasurement(key, value),
    studySeed: study.seed,
    params: study.space.params,
    pack,
    ...(options.onNote ? { onNote: options.onNote } : {}),
  });
  return { ...objective, options: settled as Record<string, unknown> };
}

export interface ExecutorOptions {
  /** Tasks at once (trials, or packs of trials): worker threads, or worker processes when the kind needs them. */
  lanes: number;
  /** Whether the run packs trials (see packingOf): the pools then get the kind's pack job. */
  packs: boolean;
  memoryMb?: number | undefined;
  onNote?: ((note: string) => void) | undefined;
  /** Whether trials send their trained models (the run keeps some). */
  saveModels: boolean;
}

/**
 * What runs the trials: a function on this thread; a kind's jobs in worker threads, or in worker
 * processes when the kind says its trials cannot share a process (a native backend).
 */
export function createExecutor(study: Study, objective: ResolvedObjective, { lanes, packs, memoryMb, onNote, saveModels }: ExecutorOptions): TrialExecutor {
  if (typeof objective === 'function') return new InProcessExecutor(objective, lanes, { saveModels });
  const { kind, spec, options } = objective;
  const run = { metric: study.metric, studySeed: study.seed, saveModels, earlyStopping: study.space.earlyStopping };
  const jobFor: JobForTrial = (trial) => kind.workerJob(spec, trial, run, options);
  const pack = packs ? kind.pack : undefined;
  const packJobFor: JobForPack | undefined = pack && ((trials) => pack.job(spec, trials, run, options));
  const setup = kind.workerProcesses?.(options, lanes);
  if (setup === undefined) return new WorkerPoolExecutor(jobFor, { workers: lanes, memoryMb, packJobFor });
  if (setup.note !== undefined) onNote?.(setup.note);
  return new ProcessPoolExecutor(jobFor, { processes: lanes, setup, memoryMb, onNote, packJobFor });
}

/**
 * Whether the run may pack at all: false for off, 1, or auto with an objective that cannot pack;
 * a pack size asked for an objective that cannot pack is the user's error (E_USAGE), found
 * before anything is written when the CLI checks it first.
 */
export function checkPackSetting(objective: ResolvedObjective, asked: PackSetting): boolean {
  if (asked === 'off' || asked === 1) return false;
  const packs = typeof objective !== 'function' && objective.kind.pack !== undefined;
  if (packs || asked === 'auto') return packs;
  const what = typeof objective === 'function' ? 'a function objective' : `a ${objective.kind.name} objective`;
  throw new HpsearchError('E_USAGE', `pack ${asked}: ${what} trains one trial at a time; packing is for built-in MLP tasks. Use --pack off (or leave pack out)`);
}

/** How a run packs trials: at most `size` a pack, grouped by `key` (null: that trial runs alone). */
export interface Packing {
  size: number;
  key: (params: Params) => string | null;
}

/**
 * Whether and how the run packs trials (`pack`: the option or the space file's, default auto):
 * only a kind that packs can, and it decides what auto means and how large a pack may be. A
 * pack size the user asks for that cannot be had is an error, or cut with a note. null: every
 * trial runs alone.
 */
export async function packingOf(study: Study, objective: ResolvedObjective, asked: PackSetting, onNote?: (note: string) => void): Promise<Packing | null> {
  if (asked === 'off' || !checkPackSetting(objective, asked) || typeof objective === 'function' || objective.kind.pack === undefined) return null;
  const pack = objective.kind.pack;
  const { spec, options } = objective;
  const { size, why } = await pack.size(spec, options, study.space.params, asked);
  onNote?.(`pack: ${why}`);
  if (size < 2) return null;
  return { size, key: (params) => pack.key(spec, params, options) };
}

/**
 * The steps a trial would report if nothing stopped it, as its kind says (a task's epochs, which
 * params may override), else the pruner's max_resource; null when unknown.
 */
export function plannedSteps(objective: ResolvedObjective, pruner: PrunerSpec): (params: Params) => number | null {
  const max = 'maxResource' in pruner ? pruner.maxResource : null;
  if (typeof objective === 'function') return () => max;
  const { kind, spec } = objective;
  return (params) => kind.plannedSteps(spec, params) ?? max;
}
