import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { compiledModule } from '../compiled-module.js';
import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { WorkerJob } from '../space/objective-kind.js';
import { HpsearchError } from '../errors.js';
import type { DecisionMessage, MainMessage, PackTask, TrialTask, WorkerMessage } from '../worker/messages.js';
import type { TrialExecutor } from './executor.js';
import { answerSuggestion } from './suggestions.js';

/** How long to wait for report messages still in flight after a trial's result arrived. */
const REPORT_DRAIN_MS = 2000;

/** What the workers run for a trial: its objective kind's job (e.g. a module's path, a task's settings). */
export type JobForTrial = (trial: TrialInfo) => WorkerJob;
/** What the workers run for a pack of trials (members in order): the kind's pack job. */
export type JobForPack = (trials: TrialInfo[]) => WorkerJob;

export interface WorkerPoolOptions {
  workers: number;
  /** Each worker's V8 heap limit; a trial over it fails and its worker is replaced. */
  memoryMb?: number | undefined;
  /**
   * Called when a trial's task failed outside the trial's own code, mostly because its worker
   * thread died (the trial is failed; piscina starts another thread): a worker process, whose
   * thread may have loaded a native addon that no later thread of the process can load, retires.
   */
  onThreadLost?: () => void;
  /** The pack job, for a kind that packs trials: then `runPack` works. */
  packJobFor?: JobForPack | undefined;
}

/**
 * Runs objectives in piscina worker threads, one trial (or one pack of trials) per worker at a time.
 * A trial that kills its worker (process.exit, a crash) rejects its task; piscina replaces the
 * worker and the trial is recorded as failed.
 */
export class WorkerPoolExecutor implements TrialExecutor {
  readonly concurrency: number;
  readonly #pool: Piscina<TrialTask | PackTask, TrialOutcome | TrialOutcome[]>;
  readonly #jobFor: JobForTrial;
  readonly #packJobFor: JobForPack | undefined;
  readonly #onThreadLost: (() => void) | undefined;

  constructor(jobFor: JobForTrial, { workers, memoryMb, onThreadLost, packJobFor }: WorkerPoolOptions) {
    this.concurrency = workers;
    this.#jobFor = jobFor;
    this.#packJobFor = packJobFor;
    this.#onThreadLost = onThreadLost;
    this.#pool = new Piscina<TrialTask | PackTask, TrialOutcome | TrialOutcome[]>({
      filename: workerEntryPath(),
      minThreads: workers,
      maxThreads: workers,
      // Trials are long and workers keep loaded modules (and later datasets) warm: never idle them out.
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
    });
  }

  async run(trial: TrialInfo, hooks: TrialHooks, cancel?: AbortSignal): Promise<TrialOutcome> {
    const job = this.#jobFor(trial);
    const [outcome] = await this.#runTask((port) => ({ runner: compiledModule(job.runner), data: job.data, ...trial, port }), [hooks], cancel);
    return outcome!;
  }

  async runPack(trials: TrialInfo[], hooks: TrialHooks[], cancel?: AbortSignal): Promise<TrialOutcome[]> {
    if (this.#packJobFor === undefined) throw new HpsearchError('E_INTERNAL', 'runPack on a worker pool made without a pack job');
    if (hooks.length !== trials.length) throw new HpsearchError('E_INTERNAL', `a pack of ${trials.length} trials was given ${hooks.length} hooks`);
    const job = this.#packJobFor(trials);
    return this.#runTask((port) => ({ runner: compiledModule(job.runner), data: job.data, trials, port }), hooks, cancel);
  }

  /**
   * One task (a trial, or a pack whose reports name their member), its reports answered by the
   * member's hooks; outcomes aligned with `hooks`.
   */
  async #runTask(taskFor: (port: MessagePort) => TrialTask | PackTask, hooks: TrialHooks[], cancel?: AbortSignal): Promise<TrialOutcome[]> {
    const { port1, port2 } = new MessageChannel();
    const post = (message: MainMessage) => {
      // The worker may be gone already (it returned without waiting for this answer).
      try {
        port1.postMessage(message);
      } catch {
        /* closed */
      }
    };
    const received = hooks.map(() => 0);
    let receivedAll = 0;
    let drained: (() => void) | null = null;
    let expected = Number.POSITIVE_INFINITY;
    // Reports are answered one at a time, in order: the worker matches answers to its reports by order.
    let answered: Promise<unknown> = Promise.resolve();
    // Suggestions are answered as they come, each by its id; the trial waits for its own.
    const suggesting = new Set<Promise<void>>();
    let ended = false;
    port1.on('message', (message: WorkerMessage) => {
      switch (message.type) {
        case 'report': {
          const { member, step, metrics } = message;
          const own = hooks[member ?? 0];
          if (own === undefined) return;
          received[member ?? 0]!++;
          receivedAll++;
          answered = answered.then(async () => {
            const stop = await own.report(step, metrics);
            post({ type: 'decision', ...(member !== undefined ? { member } : {}), step, stop } satisfies DecisionMessage);
          });
          if (receivedAll >= expected) drained?.();
          return;
        }
        case 'suggest': {
          // Asked and not awaited before the trial ended: the worker has refused it already. Packs never ask.
          if (ended) return;
          const answer = answerSuggestion(hooks[0]!.suggest, message).then(post);
          suggesting.add(answer);
          void answer.then(() => suggesting.delete(answer));
          return;
        }
      }
    });
    const task = taskFor(port2);
    let outcomes: TrialOutcome[];
    try {
      // An abort terminates the worker thread running the trial; piscina starts a fresh one.
      const result = await this.#pool.run(task, { transferList: [port2], ...(cancel ? { signal: cancel } : {}) });
      outcomes = Array.isArray(result) ? result : [result];
      if (outcomes.length !== hooks.length) {
        throw new HpsearchError('E_INTERNAL', `a pack of ${hooks.length} trials came back with ${outcomes.length} outcomes`);
      }
    } catch (error) {
      outcomes = hooks.map((_, i) => ({ status: 'failed', error: workerFailure(error), fatal: false, reports: received[i]! }));
      if (!cancel?.aborted) this.#onThreadLost?.();
    }
    // Every suggestion the trial awaited was answered before it ended, so its message came first.
    ended = true;
    expected = outcomes.reduce((sum, o) => sum + o.reports, 0);
    if (receivedAll < expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, REPORT_DRAIN_MS);
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await answered;
    // A trial stopped mid-answer (cancelled, its thread died): nothing is written for it after this returns.
    await Promise.all(suggesting);
    port1.close();
    return outcomes;
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}

function workerFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return `the trial ran out of memory (${message}); its worker thread was replaced. Lower the model or batch size, or raise --worker-memory`;
  }
  return `worker thread died during the trial: ${message}`;
}

/**
 * The compiled worker entry. Under vitest this file runs from src/ as TypeScript, which a
 * worker thread cannot load, so it points at the build in dist/ (npm test builds first).
 */
export function workerEntryPath(): string {
  return fileURLToPath(compiledModule(new URL('../worker/entry.js', import.meta.url).href));
}
