import { formatNumber } from '../format/numbers.js';
import type { Metrics } from '../space/types.js';
import type { DivergenceSpec } from '../space/stopping-spec.js';

/**
 * Divergence rules for one trial. Always: a NaN or infinite metric means the run blew up. With a
 * spec: the monitored loss exceeding factor × its first reported value (cs231n's rule of thumb).
 */
export class DivergenceCheck {
  readonly #spec: DivergenceSpec | null;
  #baseline: { value: number; step: number } | null = null;

  constructor(spec: DivergenceSpec | null) {
    this.#spec = spec;
  }

  /** Feed one step's metrics; returns why the trial diverged, or null. */
  observe(step: number, metrics: Metrics): string | null {
    for (const [name, value] of Object.entries(metrics)) {
      if (!Number.isFinite(value)) return `diverged: ${name} is ${value} at step ${step}`;
    }
    if (this.#spec === null) return null;
    const { monitor, factor } = this.#spec;
    const value = metrics[monitor];
    if (value === undefined) return null;
    if (this.#baseline === null) {
      this.#baseline = { value, step };
      return null;
    }
    const base = this.#baseline;
    // A loss that starts at 0 or below has no meaningful "× its first value".
    if (base.value <= 0 || !(value > factor * base.value)) return null;
    return (
      `diverged: ${monitor} ${formatNumber(value)} is over ${formatNumber(factor)} × its first value ` +
      `${formatNumber(base.value)} (step ${base.step}) at step ${step}`
    );
  }
}
