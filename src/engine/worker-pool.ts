import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { compiledModule } from '../compiled-module.js';
import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { WorkerJob } from '../space/objective-kind.js';
import type { DecisionMessage, MainMessage, TrialTask, WorkerMessage } from '../worker/messages.js';
import type { TrialExecutor } from './executor.js';
import { answerSuggestion } from './suggestions.js';

/** How long to wait for report messages still in flight after a trial's result arrived. */
const REPORT_DRAIN_MS = 2000;

/** What the workers run for a trial: its objective kind's job (e.g. a module's path, a task's settings). */
export type JobForTrial = (trial: TrialInfo) => WorkerJob;

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
}

/**
 * Runs objectives in piscina worker threads, one trial per worker at a time.
 * A trial that kills its worker (process.exit, a crash) rejects its task; piscina replaces the
 * worker and the trial is recorded as failed.
 */
export class WorkerPoolExecutor implements TrialExecutor {
  readonly concurrency: number;
  readonly #pool: Piscina<TrialTask, TrialOutcome>;
  readonly #jobFor: JobForTrial;
  readonly #onThreadLost: (() => void) | undefined;

  constructor(jobFor: JobForTrial, { workers, memoryMb, onThreadLost }: WorkerPoolOptions) {
    this.concurrency = workers;
    this.#jobFor = jobFor;
    this.#onThreadLost = onThreadLost;
    this.#pool = new Piscina<TrialTask, TrialOutcome>({
      filename: workerEntryPath(),
      minThreads: workers,
      maxThreads: workers,
      // Trials are long and workers keep loaded modules (and later datasets) warm: never idle them out.
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
    });
  }

  async run(trial: TrialInfo, hooks: TrialHooks, cancel?: AbortSignal): Promise<TrialOutcome> {
    const { port1, port2 } = new MessageChannel();
    const post = (message: MainMessage) => {
      // The worker may be gone already (it returned without waiting for this answer).
      try {
        port1.postMessage(message);
      } catch {
        /* closed */
      }
    };
    let received = 0;
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
          received++;
          const { step, metrics } = message;
          answered = answered.then(async () => {
            const stop = await hooks.report(step, metrics);
            post({ type: 'decision', step, stop } satisfies DecisionMessage);
          });
          if (received >= expected) drained?.();
          return;
        }
        case 'suggest': {
          // Asked and not awaited before the trial ended: the worker has refused it already.
          if (ended) return;
          const answer = answerSuggestion(hooks.suggest, message).then(post);
          suggesting.add(answer);
          void answer.then(() => suggesting.delete(answer));
          return;
        }
      }
    });
    const job = this.#jobFor(trial);
    const task: TrialTask = { runner: compiledModule(job.runner), data: job.data, ...trial, port: port2 };
    let outcome: TrialOutcome;
    try {
      // An abort terminates the worker thread running the trial; piscina starts a fresh one.
      outcome = await this.#pool.run(task, { transferList: [port2], ...(cancel ? { signal: cancel } : {}) });
    } catch (error) {
      outcome = { status: 'failed', error: workerFailure(error), fatal: false, reports: received };
      if (!cancel?.aborted) this.#onThreadLost?.();
    }
    // Every suggestion the trial awaited was answered before it ended, so its message came first.
    ended = true;
    expected = outcome.reports;
    if (received < expected) {
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
    return outcome;
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
