import { formatNumber } from '../format/numbers.js';
import type { Metrics } from '../space/types.js';
import type { EarlyStoppingSpec } from '../space/stopping-spec.js';

/**
 * Keras' EarlyStopping for one trial: stop once the monitored metric has not improved by more
 * than minDelta for `patience` consecutive steps that report it. Steps without the monitor do not
 * count either way; a NaN counts as no improvement (and never becomes the best).
 */
export class EarlyStopping {
  readonly #spec: EarlyStoppingSpec;
  #best: number | null = null;
  #bestStep: number | null = null;
  /** Consecutive observed steps without an improvement. */
  #wait = 0;

  constructor(spec: EarlyStoppingSpec) {
    this.#spec = spec;
  }

  /** The step of the best monitored value so far (what `restoreBest` reads the trial's value from). */
  get bestStep(): number | null {
    return this.#bestStep;
  }

  get best(): number | null {
    return this.#best;
  }

  /** Feed one step's metrics; returns why the trial should stop, or null to go on. */
  observe(step: number, metrics: Metrics): string | null {
    const { monitor, patience, minDelta } = this.#spec;
    const value = metrics[monitor];
    if (value === undefined) return null;
    if (this.#improves(value)) {
      this.#best = value;
      this.#bestStep = step;
      this.#wait = 0;
      return null;
    }
    this.#wait++;
    // patience 0 still needs one step without improvement, as in Keras.
    if (this.#wait < patience) return null;
    const best = this.#best === null ? 'no value yet' : `best ${formatNumber(this.#best)} at step ${this.#bestStep}`;
    return `early stopping: ${monitor} did not improve by more than ${formatNumber(minDelta)} for ${this.#wait} step${this.#wait === 1 ? '' : 's'} (${best})`;
  }

  #improves(value: number): boolean {
    if (Number.isNaN(value)) return false;
    if (this.#best === null) return true;
    const { mode, minDelta } = this.#spec;
    return mode === 'min' ? value < this.#best - minDelta : value > this.#best + minDelta;
  }
}
