/**
 * Per-trial stopping rules, decided on the main thread after each reported step, before the
 * study's pruner: a trial that diverged is pruned at once; one that stopped improving stops
 * early and completes.
 */

/** Checked and normalised `early_stopping:` (Keras' EarlyStopping). */
export interface EarlyStoppingSpec {
  /** The metric watched, e.g. val_loss. */
  monitor: string;
  mode: 'min' | 'max';
  /** Steps without an improvement of more than minDelta before the trial stops. */
  patience: number;
  minDelta: number;
  /** The trial's value is the monitored best step's value of the study metric (else the last step's). */
  restoreBest: boolean;
}

/**
 * Checked and normalised `divergence:` (cs231n: "if the cost is ever > 3 × the original cost,
 * break out early"). The rule that a NaN or infinite metric prunes the trial always applies.
 */
export interface DivergenceSpec {
  /** The loss watched, e.g. train_loss. */
  monitor: string;
  /** Prune once the monitored loss exceeds factor × its value at the first reported step. */
  factor: number;
}
