/**
 * Ctrl-C for long commands (run, compare): the first SIGINT or SIGTERM aborts `signal`, so the
 * command stops dispatching and lets running trials finish within their grace period; a second
 * one exits at once (130) after `onForce` (e.g. putting this run's trials back in the queue, so
 * the database says what a resume must run again). `stopping` says what stops, for the message.
 * Call `dispose` when the command ends.
 */
export interface Interrupts {
  signal: AbortSignal;
  /** What to do before a forced exit; set once the storage is open. */
  onForce: (() => Promise<unknown>) | null;
  dispose(): void;
}

export function handleInterrupts(stopping: string, graceMs: number): Interrupts {
  const interrupt = new AbortController();
  let interrupts = 0;
  const handle: Interrupts = {
    signal: interrupt.signal,
    onForce: null,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  function onSignal(signal: NodeJS.Signals): void {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(`\nhpsearch: ${signal} again: exiting now; the trials still running go back to the queue for a resume\n`);
      const force = handle.onForce?.() ?? Promise.resolve();
      // Whatever happens to the clean-up, exit: a second Ctrl-C is a promise to stop now.
      void force.catch(() => undefined).finally(() => process.exit(130));
      return;
    }
    const grace = graceMs > 0 ? `up to ${formatSeconds(graceMs)} for the running ones, then they go back to the queue` : 'the running ones go back to the queue';
    process.stderr.write(`\nhpsearch: ${signal}: ${stopping}; ${grace} (press Ctrl-C again to quit now)\n`);
    interrupt.abort();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return handle;
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
