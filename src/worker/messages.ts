import type { MessagePort } from 'node:worker_threads';
import type { Params } from '../space/types.js';
import type { Metrics, TrialAttrs } from '../storage/storage.js';
import type { BackendChoice, TaskSpec } from '../task/types.js';

/**
 * Messages between the main thread and trial workers. The task travels through piscina;
 * intermediate reports travel through the task's own MessagePort, so the main thread can
 * store them while the trial runs, and answers each with a decision: go on, or stop.
 */
export interface ModuleTrialTask {
  type: 'module';
  /** Absolute path of the objective module. */
  module: string;
  study: string;
  number: number;
  seed: number;
  params: Params;
  port: MessagePort;
}

/** A built-in training task, its settings already merged with the trial's params. */
export interface TaskTrialTask {
  type: 'task';
  task: TaskSpec;
  /** The epoch metric that is the trial's value, e.g. val_accuracy. */
  metric: string;
  backend: BackendChoice;
  /** Drives the dataset's shuffle and split, the same for every trial of the study. */
  studySeed: number;
  study: string;
  number: number;
  seed: number;
  params: Params;
  port: MessagePort;
}

export type TrialTask = ModuleTrialTask | TaskTrialTask;

/** Worker → main, on the task's port. */
export interface ReportMessage {
  type: 'report';
  step: number;
  metrics: Metrics;
}

export type WorkerMessage = ReportMessage;

/**
 * Main → worker, on the task's port: the answer to the report of `step`. `stop` is true when
 * the trial should end now (pruned, diverged or stopped early); the main thread records why.
 */
export interface DecisionMessage {
  type: 'decision';
  step: number;
  stop: boolean;
}

export type MainMessage = DecisionMessage;

/** What a trial's code is given to report a step: resolves to true when it should stop. */
export type ReportStep = (step: number, metrics: Metrics) => Promise<boolean>;

/**
 * What a trial ended with. `reports` counts the report messages the worker posted, so the
 * main thread can wait for all of them before storing the end (port messages and the piscina
 * result travel on different channels and may arrive in either order).
 * `fatal` marks problems that would fail every trial alike (the module cannot be loaded):
 * the run stops instead of burning its whole budget on them.
 */
export type TrialOutcome =
  | { status: 'complete'; value: number; metrics: Metrics | null; reports: number; attrs?: TrialAttrs }
  /** It ended because a decision said stop (the main thread knows why and what to store). */
  | { status: 'stopped'; reports: number; attrs?: TrialAttrs }
  | { status: 'failed'; error: string; fatal: boolean; reports: number; attrs?: TrialAttrs };
