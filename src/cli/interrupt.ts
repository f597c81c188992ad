/**
 * Ctrl-C for long commands (run, compare): the first SIGINT or SIGTERM aborts `signal` so the
 * command stops dispatching and lets running trials finish; a second exits at once (130).
 * `stopping` says what stops, for the message. Call `dispose` when the command ends.
 */
export function handleInterrupts(stopping: string): { signal: AbortSignal; dispose(): void } {
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(`\nhpsearch: ${signal} again: exiting now; trials still running stay marked running\n`);
      process.exit(130);
    }
    process.stderr.write(`\nhpsearch: ${signal}: ${stopping}; waiting for the running ones (press Ctrl-C again to quit now)\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
