/**
 * One worker process of a ProcessPoolExecutor, seen from the run's process: started with
 * child_process.fork, it runs one trial at a time (src/worker/process-entry.ts); its reports and
 * the params its trials ask for are answered here, its stderr passes through QuietLines, and its
 * end, expected or not, is told to whoever waits on it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledModule } from '../compiled-module.js';
import type { TrialHooks, TrialInfo, TrialOutcome } from '../objectives/trial-run.js';
import type { WorkerJob } from '../space/objective-kind.js';
import type { DecisionMessage } from '../worker/messages.js';
import type { ProcessToRunMessage, ProcessWorkerInit, RunToProcessMessage } from '../worker/process-messages.js';
import { QuietLines } from './quiet-lines.js';
import { answerSuggestion } from './suggestions.js';

/** How long a stopped worker process may take to exit before it is killed. */
const STOP_TIMEOUT_MS = 5000;

export interface WorkerProcessOptions {
  /** Added to this process's environment for the worker process (this process's own values win). */
  env: Record<string, string>;
  /** Lines of its stderr never shown. */
  quiet?: RegExp | undefined;
  /** Where the rest of its stderr goes. */
  stderr: (text: string) => void;
  init: ProcessWorkerInit;
}

/**
 * How a trial (or a pack) sent to a worker process ended. `reports`: the report messages it had
 * received, per member (one entry for a trial alone).
 */
export type ProcessRunEnd =
  /** Aligned with the trials sent: one for a trial alone. */
  | { kind: 'outcome'; outcomes: TrialOutcome[]; retiring: boolean }
  /** The process ended during the trial; `heard`: it had sent a report or an outcome before, in this trial or an earlier one. */
  | { kind: 'died'; how: string; heard: boolean; lastLines: string[]; reports: number[] }
  /** `cancel` aborted: the process was killed. */
  | { kind: 'cancelled'; reports: number[] };

/** What a worker process is sent to run: one trial, or a pack of them trained together. */
export type ProcessWork = { trial: TrialInfo } | { trials: TrialInfo[] };

export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #stderr: QuietLines;
  /** Resolves when the process has ended and its streams are closed, with how it ended. */
  readonly closed: Promise<string>;
  readonly #ready: Promise<void>;
  #onMessage: ((message: ProcessToRunMessage) => void) | null = null;
  #heard = false;
  #ended = false;
  #killed = false;
  #retiring = false;

  constructor(options: WorkerProcessOptions) {
    const env = { ...process.env };
    for (const [name, value] of Object.entries(options.env)) env[name] ??= value;
    this.#child = fork(workerProcessEntryPath(), [JSON.stringify(options.init)], {
      env,
      // The run's own flags (--inspect, loaders) are not the worker's.
      execArgv: [],
      serialization: 'advanced',
      // A trial's console.log goes where the run's stdout goes, as from a worker thread; stderr is filtered.
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.#stderr = new QuietLines(options.stderr, options.quiet);
    this.#child.stderr!.setEncoding('utf8');
    this.#child.stderr!.on('data', (chunk: string) => this.#stderr.write(chunk));
    this.#child.stderr!.on('end', () => this.#stderr.end());
    // A send to a process that just died fails; its end is seen through `closed`.
    this.#child.on('error', () => undefined);
    // Ended once it has exited, its IPC channel has closed (after its last message: the outcome
    // a retiring process sent as it exited is in) and its stderr has ended (its last lines are in).
    // Not 'close': Node leaves it out when this side disconnects.
    const exited = new Promise<string>((resolve) => this.#child.once('exit', (code, signal) => resolve(describeExit(code, signal))));
    const disconnected = new Promise<void>((resolve) => this.#child.once('disconnect', resolve));
    const stderrEnded = new Promise<void>((resolve) => this.#child.stderr!.once('close', resolve));
    this.closed = Promise.all([exited, disconnected, stderrEnded]).then(([how]) => {
      this.#ended = true;
      return how;
    });
    this.#ready = new Promise((resolve) => {
      this.#onMessage = (message) => {
        if (message.type === 'ready') resolve();
      };
    });
    this.#child.on('message', (message: ProcessToRunMessage) => this.#onMessage?.(message));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether it can take another trial: alive, and neither killed nor retiring. */
  get usable(): boolean {
    return !this.#ended && !this.#killed && !this.#retiring && this.#child.connected;
  }

  /**
   * Runs one trial, or a pack of trials (`hooks[i]` answers member i). Each report is answered in
   * order, one at a time, with its trial's `hooks.report` decision; each param asked for, as it
   * comes, with `hooks.suggest`'s answer. The outcome comes after every report and every suggest
   * (one channel keeps their order) and once all are answered. When `cancel` aborts, the process is killed.
   */
  async run(work: ProcessWork, job: WorkerJob, hooks: TrialHooks[], cancel?: AbortSignal): Promise<ProcessRunEnd> {
    const reports = hooks.map(() => 0);
    const died = this.closed.then(
      (how): ProcessRunEnd =>
        cancel?.aborted ? { kind: 'cancelled', reports } : { kind: 'died', how, heard: this.#heard, lastLines: this.#stderr.last, reports },
    );
    const kill = () => void this.kill();
    if (cancel?.aborted) kill();
    else cancel?.addEventListener('abort', kill, { once: true });
    // Answers still being worked out when the process ends: nothing is written for the trial after this returns.
    const suggesting = new Set<Promise<void>>();
    try {
      const notReady = await Promise.race([this.#ready.then(() => null), died]);
      if (notReady) return notReady;
      let answered: Promise<unknown> = Promise.resolve();
      const ended = new Promise<ProcessRunEnd>((resolve) => {
        this.#onMessage = (message) => {
          switch (message.type) {
            case 'report': {
              this.#heard = true;
              const { member, step, metrics } = message;
              const own = hooks[member ?? 0];
              if (own === undefined) return;
              reports[member ?? 0]!++;
              answered = answered.then(async () => {
                const stop = await own.report(step, metrics);
                this.#send({ type: 'decision', ...(member !== undefined ? { member } : {}), step, stop } satisfies DecisionMessage);
              });
              return;
            }
            case 'suggest': {
              this.#heard = true;
              const answer = answerSuggestion(hooks[0]!.suggest, message).then((reply) => this.#send(reply));
              suggesting.add(answer);
              void answer.then(() => suggesting.delete(answer));
              return;
            }
            case 'outcome': {
              this.#heard = true;
              const { outcomes, retiring } = message;
              if (retiring) this.#retiring = true;
              void Promise.all([answered, ...suggesting]).then(() => resolve({ kind: 'outcome', outcomes, retiring }));
              return;
            }
            case 'ready':
              return;
          }
        };
      });
      this.#send('trial' in work ? { type: 'run', trial: work.trial, job } : { type: 'run-pack', trials: work.trials, job });
      return await Promise.race([ended, died]);
    } finally {
      // A cancel after this trial must not kill the process's next one.
      cancel?.removeEventListener('abort', kill);
      this.#onMessage = null;
      await Promise.all(suggesting);
    }
  }

  /** Asks the process to exit (it does when its IPC channel closes); kills it if it has not after a while. */
  async stop(): Promise<void> {
    if (this.#ended) return;
    if (this.#child.connected) this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.closed;
    clearTimeout(timer);
  }

  /** Kills the process at once (a trial cancelled mid-step: its thread cannot be stopped another way that leaves the addon usable). */
  async kill(): Promise<void> {
    this.#killed = true;
    if (!this.#ended) this.#child.kill('SIGKILL');
    await this.closed;
  }

  #send(message: RunToProcessMessage): void {
    // The process may be gone already (it died, or was killed): its end is seen through `closed`.
    if (!this.#child.connected) return;
    try {
      this.#child.send(message);
    } catch {
      /* closed meanwhile */
    }
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/**
 * The compiled worker-process entry. Under vitest this file runs from src/ as TypeScript, which
 * a child process cannot load, so it points at the build in dist/ (npm test builds first).
 */
export function workerProcessEntryPath(): string {
  return fileURLToPath(compiledModule(new URL('../worker/process-entry.js', import.meta.url).href));
}
