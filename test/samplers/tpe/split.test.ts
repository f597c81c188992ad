import { describe, expect, it } from 'vitest';
import { goodCount, observationWeights, splitTrials } from '../../../src/samplers/tpe/split.js';
import type { PastTrial } from '../../../src/samplers/sampler.js';
import type { TrialState } from '../../../src/trial-state.js';

function past(number: number, state: TrialState, value: number | null, stoppedAt?: number): PastTrial {
  return { number, state, value, params: { x: number }, samplerState: {}, attrs: stoppedAt === undefined ? null : { stopped_at: stoppedAt } };
}
const numbers = (trials: readonly PastTrial[]) => trials.map((t) => t.number);

describe('γ and the weights', () => {
  it('takes 10% of the trials, rounded up, at most 25', () => {
    expect([0, 1, 10, 11, 100, 249, 250, 1000].map(goodCount)).toEqual([0, 1, 1, 2, 10, 25, 25, 25]);
  });

  it('weighs all trials 1 below 25, then ramps the oldest n − 25 from 1/n up to 1', () => {
    expect([...observationWeights(3)]).toEqual([1, 1, 1]);
    expect([...observationWeights(25)]).toEqual(new Array(25).fill(1));
    const w = observationWeights(26);
    expect(w[0]).toBeCloseTo(1 / 26, 15);
    expect([...w.slice(1)]).toEqual(new Array(25).fill(1));
    const w28 = observationWeights(28);
    expect([...w28.slice(0, 3)].map((x) => Number(x.toFixed(12)))).toEqual([1 / 28, (1 / 28 + 1) / 2, 1].map((x) => Number(x.toFixed(12))));
  });
});

describe('splitTrials', () => {
  it('puts the best γ(n) complete trials below, the rest above, each by number', () => {
    const trials = Array.from({ length: 20 }, (_, i) => past(i, 'complete', (i * 7) % 20));
    // γ(20) = 2: the values 19 (trial 13... ) and 18 are best under maximize.
    const { below, above } = splitTrials(trials, 'maximize', { liar: true });
    const best = [...trials].sort((a, b) => b.value! - a.value!).slice(0, 2).map((t) => t.number).sort((a, b) => a - b);
    expect(numbers(below)).toEqual(best);
    expect(above).toHaveLength(18);
    expect(numbers(above)).toEqual([...numbers(above)].sort((a, b) => a - b));
    const min = splitTrials(trials, 'minimize', { liar: true });
    expect(min.below.map((t) => t.value)).toEqual(expect.arrayContaining([0, 1]));
  });

  it('fills places complete trials leave with the pruned trials that got furthest, then by value', () => {
    // 11 finished (γ = 2): one complete, so one place for a pruned trial.
    const trials = [
      past(0, 'complete', 0.1),
      past(1, 'pruned', 0.9, 3),
      past(2, 'pruned', 0.2, 9), // deepest: wins the place despite a worse value
      past(3, 'pruned', 0.5, 9),
      ...Array.from({ length: 7 }, (_, i) => past(4 + i, 'pruned', 0.99, 1)),
    ];
    const { below } = splitTrials(trials, 'maximize', { liar: true });
    expect(numbers(below)).toEqual([0, 3]); // at depth 9, 0.5 beats 0.2 under maximize
    expect(numbers(splitTrials(trials, 'minimize', { liar: true }).below)).toEqual([0, 2]);
  });

  it('ranks a pruned trial without a step after those with one, and a NaN or missing value last', () => {
    const trials = [
      ...Array.from({ length: 9 }, (_, i) => past(i, 'pruned', null, 5)),
      past(9, 'pruned', 0.1), // no step
      past(10, 'pruned', 0.3, 0),
    ];
    // γ(11) = 2 places, no complete trials: the step-5 ones rank first, among them value null is last
    // but they are all null: the first two by number win.
    expect(numbers(splitTrials(trials, 'maximize', { liar: false }).below)).toEqual([0, 1]);
    const withValue = [past(0, 'pruned', null, 5), past(1, 'pruned', 0.2, 5), past(2, 'pruned', 0.1, 5), ...Array.from({ length: 8 }, (_, i) => past(3 + i, 'failed', null))];
    // Failed trials do not count: n = 3, γ = 1; 0.2 ranks above null at the same depth.
    expect(numbers(splitTrials(withValue, 'maximize', { liar: false }).below)).toEqual([1]);
  });

  it('adds running trials above with constant liar only, and never the trial being sampled', () => {
    const trials = [past(0, 'complete', 1), past(1, 'complete', 2), past(2, 'running', null), past(3, 'running', null), past(4, 'queued', null)];
    expect(numbers(splitTrials(trials, 'maximize', { liar: true, exclude: 3 }).above)).toEqual([0, 2]);
    expect(numbers(splitTrials(trials, 'maximize', { liar: false }).above)).toEqual([0]);
    // Running trials do not count towards γ: n = 2 gives one good trial.
    expect(numbers(splitTrials(trials, 'maximize', { liar: true }).below)).toEqual([1]);
  });

  it('ranks a complete trial without a value last', () => {
    const trials = [past(0, 'complete', null), past(1, 'complete', -5)];
    expect(numbers(splitTrials(trials, 'maximize', { liar: true }).below)).toEqual([1]);
    expect(numbers(splitTrials(trials, 'minimize', { liar: true }).below)).toEqual([1]);
  });
});
