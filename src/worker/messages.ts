import type { MessagePort } from 'node:worker_threads';
import type { ErrorCode } from '../errors.js';
import type { TrialInfo } from '../objectives/trial-run.js';
import type { AskedSpec } from '../space/asked-spec.js';
import type { Metrics, ParamValue } from '../space/types.js';

/**
 * Messages between the main thread and trial workers. The task travels through piscina;
 * what the trial says while it runs travels through the task's own MessagePort, so the main
 * thread can act on it at once: each intermediate report is stored and answered with a decision
 * (go on, or stop), each param the trial asks for (define-by-run) with its value.
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

/**
 * Several trials for a worker thread, trained together as one computation (a pack, see
 * src/engine/packs.ts): the kind's pack job and the trials, in member order. Every report on the
 * port names its member (the trial's index here), and so does the decision that answers it.
 */
export interface PackTask {
  runner: string;
  data: unknown;
  trials: TrialInfo[];
  port: MessagePort;
}

/** Worker → main, on the task's port: a step's metrics. Answered by a DecisionMessage, in the order the reports came. */
export interface ReportMessage {
  type: 'report';
  /** In a pack, the index of the trial that reports; absent for a trial alone. */
  member?: number;
  step: number;
  metrics: Metrics;
}

/**
 * Worker → main, on the task's port: the trial asks for param `name` with distribution `spec`.
 * Answered by a SuggestionMessage with the same `id` (unique per trial), in any order: the
 * suggestions of a trial never wait for its reports' decisions, nor these for them.
 */
export interface SuggestMessage {
  type: 'suggest';
  id: number;
  name: string;
  spec: AskedSpec;
}

export type WorkerMessage = ReportMessage | SuggestMessage;

/**
 * Main → worker, on the task's port: the answer to the report of `step`. `stop` is true when
 * the trial should end now (pruned, diverged or stopped early); the main thread records why.
 */
export interface DecisionMessage {
  type: 'decision';
  /** The member of a pack the decision is for, as its report named it. */
  member?: number;
  step: number;
  stop: boolean;
}

/** Why a suggestion was refused: the error's code and its message, which the trial's promise rejects with. */
export interface SuggestionError {
  code: ErrorCode;
  message: string;
}

/** Main → worker, on the task's port: the value of the param asked for by the SuggestMessage `id`, or why there is none. */
export type SuggestionMessage =
  | { type: 'suggestion'; id: number; value: ParamValue }
  | { type: 'suggestion'; id: number; error: SuggestionError };

export type MainMessage = DecisionMessage | SuggestionMessage;
