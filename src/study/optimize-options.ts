/**
 * What `optimize` takes and gives. The run loop itself is the engine's (src/engine/optimize.ts),
 * which registers it with the study (study.ts), so that `study.optimize()` works without the study
 * layer importing the engine.
 */
import type { ObjectiveSources } from '../space/objective-kind.js';
import type { PrunerSpec } from '../space/pruner-spec.js';
import type { PackSetting, SaveModels } from '../space/types.js';
import type { Objective } from './objective.js';

/**
 * What a run runs: a function (on this thread), a module path, or an object naming an objective
 * kind with its settings, e.g. `{ task, backend }` (both in worker threads).
 */
export type ObjectiveSource = Objective | string | ObjectiveSources[keyof ObjectiveSources];

export interface OptimizeOptions {
  /** Trials the study should hold when done, counting earlier ones (default: the space's `trials`). */
  trials?: number;
  /**
   * Worker threads (module objectives), worker processes (a task on a native backend) or
   * concurrent trials (function objectives); default: CPU cores.
   */
  workers?: number;
  /** Stops dispatching new trials; running ones finish and are stored. */
  signal?: AbortSignal;
  onProgress?: (progress: OptimizeProgress) => void;
  /** Things the user should know about how the run was set up. */
  onNote?: (note: string) => void;
  /**
   * Keeps the trained models of the study's best `top` complete trials (or all), for `hpsearch
   * export`; null keeps none. Default: the space's `save_models` (CLI `--save-models`).
   */
  saveModels?: SaveModels | null;
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
  /** Heap limit of each worker thread (also a worker process's one thread) in MiB: a trial over it fails, its worker is replaced (default: Node's). */
  workerMemoryMb?: number;
  /**
   * Trials of the same shape trained together as one batched computation in one worker, for an
   * objective that packs (a built-in MLP task): `auto` (default: the space's `pack`, else auto)
   * packs where the backend gains by it, `off` never, a number at most that many a pack.
   */
  pack?: PackSetting;
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
  /**
   * Trials of this run whose worker process died during them (a crash, an out-of-memory kill):
   * put back in the queue to run again from the start (a second loss stores the trial failed).
   */
  restarted: number;
  /** Trials of this run that another run took over while this one stalled (its heartbeats stopped); their results were dropped. */
  takenOver: number;
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
