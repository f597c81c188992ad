/**
 * What a `task` trial's worker job carries, alone (run-trial.ts) or as a member of a pack
 * (run-pack.ts): its settings already merged with the trial's params.
 */
import type { KindRunContext, KindTrial } from '../space/objective-kind.js';
import type { EarlyStoppingSpec } from '../space/stopping-spec.js';
import { taskForTrial } from './settings.js';
import type { BackendChoice, TaskSpec } from './types.js';

/** A built-in training task as an objective (the space file's `objective.task`). */
export interface TaskObjective {
  task: TaskSpec;
  /** Default `auto`: the fastest backend that loads here. */
  backend?: BackendChoice;
}

/** What a task trial's worker job carries: its settings already merged with the trial's params. */
export interface TaskJobData {
  task: TaskSpec;
  /** The epoch metric that is the trial's value, e.g. val_accuracy. */
  metric: string;
  backend: BackendChoice;
  /** Drives the dataset's shuffle and split, the same for every trial of the study. */
  studySeed: number;
  /** Send the trained model with the outcome (KindRunContext.saveModels). */
  saveModels: boolean;
  /** The study's early stopping: with saveModels, which stops export a model and, with restore_best, which step's weights. */
  earlyStopping: EarlyStoppingSpec | null;
}

/** A trial's job data: params become task settings here, so the worker gets one plain, complete spec. */
export function taskJobData(task: TaskSpec, trial: KindTrial, run: KindRunContext, options: TaskObjective): TaskJobData {
  return {
    task: taskForTrial(task, trial.params),
    metric: run.metric,
    backend: options.backend ?? 'auto',
    studySeed: run.studySeed,
    saveModels: run.saveModels,
    earlyStopping: run.earlyStopping,
  };
}
