/**
 * A worker process (src/engine/process-pool.ts starts it): one long-lived piscina worker thread
 * runs the trials the run's process sends, one at a time, exactly as one of the run's own worker
 * threads would; this thread only passes the reports and decisions, and the params asked for and
 * their answers, along the IPC channel (process-messages.ts). Everything it needs to know comes from the run: it writes no storage.
 */
import { HpsearchError } from '../errors.js';
import { WorkerPoolExecutor } from '../engine/worker-pool.js';
import { suggestionRefused } from '../engine/suggestions.js';
import type { ReportStep, SuggestParam, TrialOutcome } from '../objectives/trial-run.js';
import type { ParamValue } from '../space/types.js';
import type { WorkerJob } from '../space/objective-kind.js';
import type { ProcessToRunMessage, ProcessWorkerInit, RunPackMessage, RunToProcessMessage, RunTrialMessage } from './process-messages.js';

const channel = process.send?.bind(process);
if (!channel) {
  process.stderr.write('hpsearch: this is the entry of a worker process, which hpsearch run starts itself\n');
  process.exit(2);
}

// Ctrl-C in a terminal signals the whole process group: the run decides when its trials stop
// (after the grace period) and kills the process then; it also exits when the run disconnects.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
process.on('disconnect', () => process.exit(0));

const init = JSON.parse(process.argv[2] ?? '{}') as ProcessWorkerInit;
let job: WorkerJob | undefined;
let packJob: WorkerJob | undefined;
// Its thread died (or loaded a native addon and then failed): a new thread of this process could
// not load the addon again, so after telling the run this process exits.
let retiring = false;
const executor = new WorkerPoolExecutor(
  () => {
    if (job === undefined) throw new HpsearchError('E_INTERNAL', 'a worker process was asked for a job before it got a trial');
    return job;
  },
  {
    workers: 1,
    memoryMb: init.memoryMb,
    onThreadLost: () => (retiring = true),
    packJobFor: () => {
      if (packJob === undefined) throw new HpsearchError('E_INTERNAL', 'a worker process was asked for a pack job before it got a pack');
      return packJob;
    },
  },
);

/** Decisions answer reports in order, one at a time: the thread waits for each before training on. */
const decisions: ((stop: boolean) => void)[] = [];

const send = (message: ProcessToRunMessage, then?: () => void) => channel(message, undefined, {}, then);

const reportAs = (member: number | undefined): ReportStep => (step, metrics) =>
  new Promise((resolve) => {
    decisions.push(resolve);
    send({ type: 'report', ...(member !== undefined ? { member } : {}), step, metrics });
  });
const report = reportAs(undefined);

/** Params asked for and not yet answered, by the id the thread gave them (ids are the thread's, unique per trial). */
const suggestions = new Map<number, { resolve: (value: ParamValue) => void; reject: (error: Error) => void }>();
let nextSuggestion = 0;

const suggest: SuggestParam = (name, spec) =>
  new Promise((resolve, reject) => {
    const id = nextSuggestion++;
    suggestions.set(id, { resolve, reject });
    send({ type: 'suggest', id, name, spec });
  });

async function runTrial(message: RunTrialMessage | RunPackMessage): Promise<void> {
  let outcomes: TrialOutcome[];
  if (message.type === 'run') {
    job = message.job;
    outcomes = [await executor.run(message.trial, { report, suggest })];
  } else {
    packJob = message.job;
    // Each member's reports go up naming it; the decisions come back in the order of all reports.
    outcomes = await executor.runPack(message.trials, message.trials.map((_, member) => ({ report: reportAs(member), suggest })));
  }
  // Reports the run never answered (it died) stop here. No suggestion is left: the executor waits for each.
  for (const resolve of decisions.splice(0)) resolve(true);
  send({ type: 'outcome', outcomes, retiring }, retiring ? () => process.exit(0) : undefined);
}

process.on('message', (message: RunToProcessMessage) => {
  switch (message.type) {
    case 'decision':
      decisions.shift()?.(message.stop);
      return;
    case 'suggestion': {
      const pending = suggestions.get(message.id);
      if (pending === undefined) return;
      suggestions.delete(message.id);
      if ('error' in message) pending.reject(suggestionRefused(message.error));
      else pending.resolve(message.value);
      return;
    }
    case 'run':
    case 'run-pack':
      void runTrial(message);
      return;
  }
});
send({ type: 'ready' });
