import type { Pruner } from '../pruners/pruner.js';
import type { Direction, Metrics } from '../space/types.js';
import type { StepValue, TrialAttrs, TrialFinish } from '../storage/storage.js';
import { DivergenceCheck } from '../stopping/divergence.js';
import { EarlyStopping } from '../stopping/early-stopping.js';
import type { DivergenceSpec, EarlyStoppingSpec } from '../space/stopping-spec.js';
import type { AskedTrial } from '../study/trial.js';
import type { TrialOutcome } from '../objectives/trial-run.js';

/** What decides, for every trial of a run, whether it goes on after a step. */
export interface StopRules {
  study: string;
  direction: Direction;
  /** The study's metric: what pruners compare and what a stopped trial's value is taken from. */
  metric: string;
  pruner: Pruner;
  earlyStopping: EarlyStoppingSpec | null;
  divergence: DivergenceSpec | null;
  /** Every trial's value of `metric` at `step`, from storage. */
  stepValues(step: number): Promise<StepValue[]>;
}

/** Why a trial stopped before its last step. */
export interface TrialStop {
  kind: 'diverged' | 'pruned' | 'early_stopped';
  step: number;
  reason: string;
}

/** How a trial ended, as stored, plus what the run summary counts. */
export interface MonitoredEnd {
  finish: TrialFinish;
  stop: TrialStop | null;
  steps: number;
  /** Why it ended before its last step, or its error; null when it ran to the end. */
  reason: string | null;
}

/**
 * One running trial, seen from the main thread: stores each reported step, then decides
 * whether the trial goes on — divergence rules first (a trial that blew up is pruned), then
 * the study's pruner, then early stopping (a trial that stopped improving completes) — and at
 * the end turns the worker's outcome and those decisions into what is stored.
 */
export class TrialMonitor {
  readonly #trial: AskedTrial;
  readonly #rules: StopRules;
  readonly #divergence: DivergenceCheck;
  readonly #earlyStopping: EarlyStopping | null;
  /** The study metric by step, as reported (NaN kept). */
  readonly #curve = new Map<number, number>();
  #steps = 0;
  #lastStep: number | null = null;
  #stop: TrialStop | null = null;
  #failure: { error: unknown } | null = null;

  constructor(trial: AskedTrial, rules: StopRules) {
    this.#trial = trial;
    this.#rules = rules;
    this.#divergence = new DivergenceCheck(rules.divergence);
    this.#earlyStopping = rules.earlyStopping ? new EarlyStopping(rules.earlyStopping) : null;
  }

  /** Steps stored so far. */
  get steps(): number {
    return this.#steps;
  }

  /** Whether a decision stopped the trial (pruned, diverged, stopped early): what to store is known whatever its code did next. */
  get stopped(): boolean {
    return this.#stop !== null;
  }

  /** The error a report failed to store with, if one did (the trial stops, and `end` rethrows it). */
  get failure(): unknown {
    return this.#failure?.error;
  }

  /** Stores a step and answers whether the trial should stop. Never rejects: a storage failure is kept for `end`. */
  async report(step: number, metrics: Metrics): Promise<boolean> {
    // After a stop, late reports (an objective that did not check) are neither stored nor judged.
    if (this.#stop || this.#failure) return true;
    try {
      await this.#trial.report(step, metrics);
      this.#steps++;
      this.#lastStep = step;
      const value = metrics[this.#rules.metric];
      if (value !== undefined) this.#curve.set(step, value);
      this.#stop = await this.#decide(step, metrics, value);
      return this.#stop !== null;
    } catch (error) {
      this.#failure = { error };
      return true;
    }
  }

  async #decide(step: number, metrics: Metrics, value: number | undefined): Promise<TrialStop | null> {
    const diverged = this.#divergence.observe(step, metrics);
    if (diverged) return { kind: 'diverged', step, reason: diverged };
    if (value !== undefined) {
      const rules = this.#rules;
      const decision = await rules.pruner.decide({
        study: rules.study,
        direction: rules.direction,
        trial: this.#trial.number,
        step,
        curve: this.#curve,
        peersAt: async (at) => (await rules.stepValues(at)).filter((peer) => peer.number !== this.#trial.number),
      });
      if (decision.prune) return { kind: 'pruned', step, reason: decision.reason };
    }
    const early = this.#earlyStopping?.observe(step, metrics);
    if (early) return { kind: 'early_stopped', step, reason: early };
    return null;
  }

  /** What to store for the trial, given how its code ended. Rejects with a storage failure seen during the trial. */
  end(outcome: TrialOutcome): MonitoredEnd {
    if (this.#failure) throw this.#failure.error;
    const stop = this.#stop;
    const attrs: TrialAttrs = { ...outcome.attrs };
    const best = this.#earlyStopping?.bestStep ?? null;
    if (best !== null) attrs.best_step = best;
    const base = { stop, steps: this.#steps };
    if (stop) {
      attrs.stopped_at = stop.step;
      if (stop.kind === 'early_stopped') {
        attrs.stop_reason = stop.reason;
        const value = this.#valueOf(outcome);
        if (value === undefined) {
          const error = `${stop.reason}; but the trial never reported ${this.#rules.metric}, so it has no value`;
          return { ...base, finish: { state: 'failed', error, attrs }, reason: error };
        }
        return { ...base, finish: { state: 'complete', value, attrs }, reason: stop.reason };
      }
      const value = this.#curve.get(stop.step);
      return { ...base, finish: { state: 'pruned', value: value ?? null, error: stop.reason, attrs }, reason: stop.reason };
    }
    if (outcome.status === 'complete') {
      const value = this.#restoredBest() ?? outcome.value;
      return { ...base, finish: { state: 'complete', value, metrics: outcome.metrics, attrs }, reason: null };
    }
    const error = outcome.status === 'failed' || outcome.status === 'lost' ? outcome.error : 'the trial stopped without being asked to';
    return { ...base, finish: { state: 'failed', error, attrs: outcome.attrs ?? null }, reason: error };
  }

  /** The value of a trial that stopped early: its best step's (restore_best) or its last step's. */
  #valueOf(outcome: TrialOutcome): number | undefined {
    const restored = this.#restoredBest();
    if (restored !== undefined) return restored;
    const last = this.#lastStep === null ? undefined : this.#curve.get(this.#lastStep);
    if (last !== undefined && Number.isFinite(last)) return last;
    return outcome.status === 'complete' ? outcome.value : undefined;
  }

  #restoredBest(): number | undefined {
    if (!this.#rules.earlyStopping?.restoreBest) return undefined;
    const best = this.#earlyStopping?.bestStep;
    const value = best === null || best === undefined ? undefined : this.#curve.get(best);
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  }
}
