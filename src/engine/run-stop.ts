/**
 * How a run stops: the user's signal stops new trials at once; running trials get a grace period,
 * after which each one's own cancel switch stops it (and it goes back to the queue).
 */
export class RunStop {
  /** Aborted when no new trial may start: an interrupt, a fatal failure, a lane that threw. */
  readonly #stop = new AbortController();
  readonly #running = new Set<AbortController>();
  readonly #graceMs: number;
  readonly #signal: AbortSignal | undefined;
  #graceTimer: NodeJS.Timeout | null = null;
  readonly #onAbort = () => this.#interrupted();

  constructor(signal: AbortSignal | undefined, graceMs: number) {
    this.#signal = signal;
    this.#graceMs = graceMs;
    if (signal?.aborted) this.#interrupted();
    signal?.addEventListener('abort', this.#onAbort);
  }

  get signal(): AbortSignal {
    return this.#stop.signal;
  }

  /** Stops new trials; running ones finish and are stored. */
  stopNewTrials(): void {
    this.#stop.abort();
  }

  /** A cancel switch for one running trial, until `release`. */
  trialCancel(): AbortController {
    const cancel = new AbortController();
    this.#running.add(cancel);
    return cancel;
  }

  release(cancel: AbortController): void {
    this.#running.delete(cancel);
  }

  dispose(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
  }

  #interrupted(): void {
    this.#stop.abort();
    const cancelAll = () => {
      for (const cancel of this.#running) cancel.abort();
    };
    if (this.#graceMs <= 0) cancelAll();
    else this.#graceTimer = setTimeout(cancelAll, this.#graceMs);
  }
}
