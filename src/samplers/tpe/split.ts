import type { Direction } from '../../space/types.js';
import type { PastTrial } from '../sampler.js';

/**
 * Which past trials TPE models as good (l) and which as bad (g), and how much each counts: the
 * rules of Optuna's `_tpe/sampler.py` (`default_gamma`, `default_weights`, `_split_trials`).
 */

/** γ(n): how many of n finished trials are "good": 10% of them, rounded up, at most 25. */
export function goodCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Observation weights, oldest first: all 1 below 25 trials; else a linear ramp from 1/n to 1 over
 * the oldest n - 25, then 25 ones, so old trials fade and the recent 25 count fully.
 */
export function observationWeights(n: number): Float64Array {
  const weights = new Float64Array(n).fill(1);
  if (n < 25) return weights;
  const ramp = n - 25;
  // numpy's linspace(1/n, 1, num=ramp): the end points included; a single point is the start.
  for (let i = 0; i < ramp; i++) weights[i] = ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1);
  return weights;
}

export interface Split {
  /** Good trials, by number. */
  readonly below: PastTrial[];
  /** Bad trials, by number: the rest of the complete and pruned ones, and (constant liar) the running ones. */
  readonly above: PastTrial[];
}

/**
 * Complete trials sorted by value fill the good group first (γ of the n complete and pruned
 * trials); places left go to pruned trials that got furthest, then by their last value. With
 * `liar`, running trials (other than the one being sampled) join the bad group at the params
 * they were given. Failed and queued trials take no part.
 */
export function splitTrials(trials: readonly PastTrial[], direction: Direction, options: { liar: boolean; exclude?: number | undefined }): Split {
  const complete: PastTrial[] = [];
  const pruned: PastTrial[] = [];
  const running: PastTrial[] = [];
  for (const trial of trials) {
    if (trial.number === options.exclude) continue;
    if (trial.state === 'complete') complete.push(trial);
    else if (trial.state === 'pruned') pruned.push(trial);
    else if (trial.state === 'running' && options.liar) running.push(trial);
  }
  let places = goodCount(complete.length + pruned.length);
  const sign = direction === 'minimize' ? 1 : -1;
  const below = bestOf(complete, Math.min(places, complete.length), sign);
  const chosen = new Set(below);
  const above = complete.filter((trial) => !chosen.has(trial));
  places -= below.length;
  const ranked = pruned.map((trial) => ({ trial, score: prunedScore(trial, sign) }));
  ranked.sort((a, b) => a.score[0] - b.score[0] || a.score[1] - b.score[1] || a.trial.number - b.trial.number);
  const goodPruned = Math.min(places, ranked.length);
  for (const [i, { trial }] of ranked.entries()) (i < goodPruned ? below : above).push(trial);
  above.push(...running);
  below.sort((a, b) => a.number - b.number);
  above.sort((a, b) => a.number - b.number);
  return { below, above };
}

/**
 * The `count` best complete trials (γ is at most 25, so a small sorted list beats sorting all n):
 * by signed value, a missing or NaN value last (Optuna fails such trials instead), ties to the
 * lower number.
 */
function bestOf(trials: readonly PastTrial[], count: number, sign: number): PastTrial[] {
  if (count === 0) return [];
  const key = (t: PastTrial) => (t.value === null || Number.isNaN(t.value) ? Infinity : sign * t.value);
  const before = (a: { key: number; trial: PastTrial }, b: { key: number; trial: PastTrial }) => a.key < b.key || (a.key === b.key && a.trial.number < b.trial.number);
  const best: { key: number; trial: PastTrial }[] = [];
  for (const trial of trials) {
    const entry = { key: key(trial), trial };
    if (best.length === count && !before(entry, best[count - 1])) continue;
    let at = best.length;
    while (at > 0 && before(entry, best[at - 1])) at--;
    best.splice(at, 0, entry);
    if (best.length > count) best.pop();
  }
  return best.map((entry) => entry.trial);
}

/**
 * (-last step, signed last value): deeper first, then better. A trial with no step recorded
 * sorts after every one with a step, and a missing or NaN value after every value (Optuna's
 * `_get_pruned_trial_score`).
 */
function prunedScore(trial: PastTrial, sign: number): [number, number] {
  const step = trial.attrs?.stopped_at;
  if (step === undefined) return [1, 0];
  if (trial.value === null || Number.isNaN(trial.value)) return [-step, Infinity];
  return [-step, sign * trial.value];
}
