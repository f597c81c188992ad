/**
 * Loads an objective module once in a throwaway worker thread, so a space file naming a module
 * that cannot run (it throws when imported, or its default export is not a function) is refused
 * before a study is created, instead of failing its first trial.
 *
 * Never on the main thread, whose state the module's side effects would change. And the probe's
 * thread loads no native addon: the tfjs-node addon may be loaded by only one thread of a process,
 * which must be a trial's worker; a module that loads one at its top level is not judged here
 * (its trials say whether it works, as before). The probe's thread is stopped as soon as the
 * answer is in: a module that starts timers or servers at its top level leaves nothing running.
 */
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../../compiled-module.js';
import type { ProbeData, ProbeResult } from './probe-messages.js';

/** How long a module may take to load: importing TF.js takes seconds, a module that hangs forever. */
export const PROBE_TIMEOUT_MS = 60_000;

export interface ProbeOptions {
  /** Give up after this long (default PROBE_TIMEOUT_MS; Infinity waits as long as the module takes). */
  timeoutMs?: number;
}

/**
 * Resolves to why the module at `modulePath` (absolute) cannot be an objective, in the words a
 * trial's worker would use, or undefined when it loads and its default export is a function (or
 * it loads a native addon, so that the probe cannot tell).
 */
export async function probeObjectiveModule(modulePath: string, options: ProbeOptions = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const workerData: ProbeData = { module: modulePath };
  const worker = new Worker(new URL(compiledModule(new URL('./probe-worker.js', import.meta.url).href)), { workerData });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<string | undefined>((resolve) => {
      worker.once('message', (result: ProbeResult) => resolve(result.outcome === 'refused' ? result.reason : undefined));
      // An exception thrown later by something the module started (a timer) while it still loads.
      worker.once('error', (error: unknown) => resolve(`cannot load objective module ${modulePath}: ${error instanceof Error ? error.message : String(error)}`));
      // Messages are delivered before 'exit', so this is a thread that ended without an answer.
      worker.once('exit', (code) => resolve(
        `objective module ${modulePath} ended its thread before it finished loading (exit code ${code}): ` +
          'its top level calls process.exit() or awaits something that never happens; make its top-level code finish',
      ));
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => resolve(
          `objective module ${modulePath} did not finish loading within ${formatSeconds(timeoutMs)}: its top-level code still runs; ` +
            'do slow work (downloads, training) inside the default export, and make every top-level await finish',
        ), timeoutMs);
      }
    });
  } finally {
    clearTimeout(timer);
    // Also a thread busy in an endless loop stops here.
    await worker.terminate();
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number(seconds.toPrecision(3))} s`;
}
