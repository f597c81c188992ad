/**
 * Runs trials in worker processes, one trial per process at a time, for objective kinds whose
 * trials cannot share a process (the native TensorFlow addon loads in one thread per process).
 * Each process is a child of this one with one long-lived worker thread that runs trials as the
 * run's own worker threads would (src/worker/process-entry.ts); the run loop, its decisions and
 * every storage write stay here.
 *
 * A process is started when a trial needs one and none is free, and kept for later trials.
 * One that is cancelled (the grace period ran out, the trial was taken over) is killed: its
 * thread cannot be stopped in a way that leaves the addon loadable again, so the next trial gets
 * a fresh process. One that dies during a trial after it had reported (a crash, an out-of-memory
 * kill, SIGKILL) loses the trial, which comes back as `lost` for the run to put back in the queue;
 * one that dies before it ever reported a step or an outcome cannot start, would fail every trial
 * alike, and fails the run with E_WORKER.
 */
import { HpsearchError } from '../errors.js';
import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { WorkerJob, WorkerProcessSetup } from '../space/objective-kind.js';
import type { TrialExecutor } from './executor.js';
import type { JobForPack, JobForTrial } from './worker-pool.js';
import { WorkerProcess, type ProcessWork } from './worker-process.js';

export interface ProcessPoolOptions {
  processes: number;
  setup: WorkerProcessSetup;
  /** The V8 heap limit of each process's worker thread, in MiB. */
  memoryMb?: number | undefined;
  /** Where the processes' stderr goes, less its quiet lines (default: this process's stderr). */
  stderr?: (text: string) => void;
  /** Told when a free process died (one running a trial says so in the trial's outcome). */
  onNote?: ((note: string) => void) | undefined;
  /** The pack job, for a kind that packs trials: then `runPack` works. */
  packJobFor?: JobForPack | undefined;
}

export class ProcessPoolExecutor implements TrialExecutor {
  readonly concurrency: number;
  readonly #jobFor: JobForTrial;
  readonly #options: ProcessPoolOptions;
  /** Every process started and not yet ended. */
  readonly #alive = new Set<WorkerProcess>();
  readonly #free: WorkerProcess[] = [];
  /** Trials waiting for a process when more run at once than `processes` (callers normally keep to `concurrency`). */
  readonly #waiting: (() => void)[] = [];
  #broken: HpsearchError | null = null;
  #closing = false;

  constructor(jobFor: JobForTrial, options: ProcessPoolOptions) {
    if (!Number.isInteger(options.processes) || options.processes < 1) {
      throw new HpsearchError('E_USAGE', `processes must be a positive integer, got ${options.processes}`);
    }
    this.concurrency = options.processes;
    this.#jobFor = jobFor;
    this.#options = options;
  }

  /** Rejects with E_WORKER when a worker process could not start; a trial's own failure is an outcome. */
  async run(trial: TrialInfo, hooks: TrialHooks, cancel?: AbortSignal): Promise<TrialOutcome> {
    const [outcome] = await this.#runWork({ trial }, [trial], this.#jobFor(trial), [hooks], cancel);
    return outcome!;
  }

  /** A pack of trials in one worker process, as `run` runs one; outcomes aligned with `trials`. */
  async runPack(trials: TrialInfo[], hooks: TrialHooks[], cancel?: AbortSignal): Promise<TrialOutcome[]> {
    const packJobFor = this.#options.packJobFor;
    if (packJobFor === undefined) throw new HpsearchError('E_INTERNAL', 'runPack on a process pool made without a pack job');
    return this.#runWork({ trials }, trials, packJobFor(trials), hooks, cancel);
  }

  async #runWork(work: ProcessWork, trials: TrialInfo[], job: WorkerJob, hooks: TrialHooks[], cancel?: AbortSignal): Promise<TrialOutcome[]> {
    if (this.#broken) throw this.#broken;
    if (this.#closing) throw new HpsearchError('E_INTERNAL', 'the worker process pool is closed');
    const worker = await this.#take();
    const end = await worker.run(work, job, hooks, cancel);
    this.#give(worker);
    switch (end.kind) {
      case 'outcome':
        if (end.outcomes.length !== trials.length) {
          throw new HpsearchError('E_INTERNAL', `worker process ${worker.pid ?? 'unknown'} sent ${end.outcomes.length} outcomes for ${trials.length} trials`);
        }
        return end.outcomes;
      case 'cancelled':
        return end.reports.map((reports) => ({ status: 'failed', error: 'stopped: its worker process was killed', fatal: false, reports }));
      case 'died': {
        const pid = worker.pid ?? 'unknown';
        if (!end.heard) {
          const numbers = trials.map((t) => t.number).join(', ');
          this.#broken ??= new HpsearchError(
            'E_WORKER',
            `worker process ${pid} ${end.how} before it reported anything for its first trial (trial ${numbers}): ` +
              'a worker that cannot start would fail every trial, so the run stops' +
              (end.lastLines.length > 0 ? `; its last lines on stderr:\n  ${end.lastLines.join('\n  ')}` : ' (it wrote nothing to stderr)'),
          );
          throw this.#broken;
        }
        const during = trials.length === 1 ? 'during the trial' : `during the pack of ${trials.length} trials it was training`;
        return end.reports.map((reports) => ({ status: 'lost', error: `worker process ${pid} ${end.how} ${during}`, reports }));
      }
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all([...this.#alive].map((worker) => worker.stop()));
  }

  async #take(): Promise<WorkerProcess> {
    for (;;) {
      const free = this.#free.pop();
      // One that died while free, and whose end is not yet handled, is left to that.
      if (free?.usable) return free;
      if (free) continue;
      if (this.#alive.size < this.concurrency) return this.#start();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#broken) throw this.#broken;
      if (this.#closing) throw new HpsearchError('E_INTERNAL', 'the worker process pool is closed');
    }
  }

  /** After a trial: the process is free again, or (killed, retiring, dead) its place is. */
  #give(worker: WorkerProcess): void {
    // Else its place frees once it has ended (close() waits for a killed one meanwhile).
    if (worker.usable) {
      this.#free.push(worker);
      this.#waiting.shift()?.();
    }
  }

  #start(): WorkerProcess {
    const { setup, memoryMb } = this.#options;
    const worker = new WorkerProcess({
      env: setup.env,
      quiet: setup.quiet,
      stderr: this.#options.stderr ?? ((text) => process.stderr.write(text)),
      init: memoryMb !== undefined ? { memoryMb } : {},
    });
    this.#alive.add(worker);
    void worker.closed.then((how) => {
      this.#alive.delete(worker);
      // Its place is free for a trial waiting for one.
      this.#waiting.shift()?.();
      const free = this.#free.indexOf(worker);
      if (free === -1) return;
      // Died with no trial to lose: the next trial starts another.
      this.#free.splice(free, 1);
      if (!this.#closing) this.#options.onNote?.(`worker process ${worker.pid ?? 'unknown'} ${how} while it had no trial; a new one starts with the next trial`);
    });
    return worker;
  }
}
