import type { TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { WorkerJob } from '../space/objective-kind.js';
import type { DecisionMessage, ReportMessage, SuggestionMessage, SuggestMessage } from './messages.js';

/**
 * Messages between the run's process and a worker process (src/engine/process-pool.ts and
 * process-entry.ts), over the child's IPC channel with advanced serialization (structured clone:
 * NaN metrics survive). One trial (or one pack of trials, `run-pack`) at a time: the run sends `run`, the worker answers with
 * `report`s, each answered by a `decision`, and `suggest`s, each answered by a `suggestion` (the
 * same messages as a worker thread's port, relayed: the run's process answers them as it answers
 * a worker thread's), then with the `outcome`. Messages on the channel keep their order, so every
 * report and every suggest comes before the outcome.
 */

/** What the worker process is started with: its one argument, as JSON. */
export interface ProcessWorkerInit {
  /** The V8 heap limit of its worker thread, in MiB (`--worker-memory`). */
  memoryMb?: number;
}

/** Run → worker process: train this trial (the job as the objective kind made it, its runner not yet compiled). */
export interface RunTrialMessage {
  type: 'run';
  trial: TrialInfo;
  job: WorkerJob;
}

/** Run → worker process: train these trials as one pack (the kind's pack job); reports and decisions name their member. */
export interface RunPackMessage {
  type: 'run-pack';
  trials: TrialInfo[];
  job: WorkerJob;
}

export type RunToProcessMessage = RunTrialMessage | RunPackMessage | DecisionMessage | SuggestionMessage;

/** Worker process → run, once it listens: messages sent before would be lost. */
export interface ReadyMessage {
  type: 'ready';
}

/**
 * Worker process → run: how the trial ended. `retiring`: the process exits now and takes no more
 * trials (its worker thread died: a new thread of the process could not load a native addon the
 * old one had loaded).
 */
export interface OutcomeMessage {
  type: 'outcome';
  /** One for a trial, one per member (in order) for a pack. */
  outcomes: TrialOutcome[];
  retiring: boolean;
}

export type ProcessToRunMessage = ReadyMessage | ReportMessage | SuggestMessage | OutcomeMessage;
