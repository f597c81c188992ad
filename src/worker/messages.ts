import type { MessagePort } from 'node:worker_threads';
import type { TrialInfo } from '../objectives/trial-run.js';
import type { Metrics } from '../space/types.js';

/**
 * Messages between the main thread and trial workers. The task travels through piscina;
 * intermediate reports travel through the task's own MessagePort, so the main thread can
 * store them while the trial runs, and answers each with a decision: go on, or stop.
 */
/**
 * One trial for a worker thread: the objective kind's job (its runner module and data) and the
 * trial, with the port its reports travel on.
 */
export interface TrialTask extends TrialInfo {
  /** URL of the module whose `runTrial` runs the job (see `TrialRunnerModule`). */
  runner: string;
  data: unknown;
  port: MessagePort;
}

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
