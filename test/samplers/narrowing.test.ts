import { describe, expect, it } from 'vitest';
import { narrowParams } from '../../src/samplers/narrow-params.js';
import { NarrowingSampler, narrowingRound, roundRanges } from '../../src/samplers/narrowing.js';
import type { Direction, Params, ParamSpec, ParamSpecs, ParamValue } from '../../src/space/types.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { waitUntil } from '../helpers/wait.js';
import { makeSpace, narrowingSearch, noHistory, trial } from './helpers.js';

const params: ParamSpecs = {
  x: { type: 'float', low: 0, high: 100, log: false },
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  act: { type: 'categorical', choices: ['a', 'b', 'c'] },
};

const space = (direction: Direction = 'maximize', trialsPerRound = 4) =>
  makeSpace(params, narrowingSearch(3, trialsPerRound, 2, 0.1), { direction });

/** Round 0 as four finished trials: a/b are good under maximize, c/d under minimize. */
function round0(): TrialRecord[] {
  return [
    trial(0, { round: 0, value: 0.9, params: { x: 10, lr: 1e-4, act: 'a' } }),
    trial(1, { round: 0, value: 0.8, params: { x: 20, lr: 1e-3, act: 'b' } }),
    trial(2, { round: 0, value: 0.1, params: { x: 80, lr: 1e-2, act: 'c' } }),
    trial(3, { round: 0, value: 0.2, params: { x: 90, lr: 1e-2, act: 'c' } }),
  ];
}

const history = (trials: TrialRecord[]) => async (): Promise<TrialRecord[]> => trials.map((t) => ({ ...t }));

function inside(spec: ParamSpec, value: ParamValue): boolean {
  switch (spec.type) {
    case 'float':
    case 'int':
      return typeof value === 'number' && value >= spec.low && value <= spec.high;
    case 'categorical':
      return spec.choices.includes(value);
    case 'fixed':
      return value === spec.value;
  }
}

describe('NarrowingSampler', () => {
  it('samples round 0 at once from the full space, and knows its capacity', async () => {
    const sampler = new NarrowingSampler(space());
    expect(sampler.capacity).toBe(12);
    for (let index = 0; index < 4; index++) {
      const sample = await sampler.sample({ index, history: noHistory });
      expect(narrowingRound(sample)).toBe(0);
      for (const [name, spec] of Object.entries(params)) expect(inside(spec, sample.params[name]!)).toBe(true);
    }
    await expect(sampler.sample({ index: 12, history: noHistory })).rejects.toThrow(RangeError);
  });

  it('makes round 1 wait until all of round 0 is finished, polling the history', async () => {
    const trials = round0();
    trials[1] = { ...trials[1]!, state: 'running', value: null };
    trials.pop(); // index 3 has not even recorded its params yet
    let polls = 0;
    const sampler = new NarrowingSampler(space());
    let settled = false;
    const pending = sampler
      .sample({ index: 5, history: async () => (polls++, history(trials)()) })
      .finally(() => (settled = true));

    // Counted in polls, not in milliseconds: each poll saw the round unfinished and kept waiting.
    await waitUntil('the sampler has read the history 3 times', () => polls >= 3);
    expect(settled).toBe(false);

    trials[1] = round0()[1]!; // finished now, but only 3 of the 4 trials exist
    const seen = polls;
    await waitUntil('the sampler has read the history twice more', () => polls >= seen + 2);
    expect(settled).toBe(false);

    trials.push(round0()[3]!);
    const sample = await pending;
    expect(narrowingRound(sample)).toBe(1);
    // Maximize: the top 2 are x 10/20, lr 1e-4/1e-3, act a/b.
    const ranges = narrowParams(params, [round0()[0]!.params, round0()[1]!.params], 0.1);
    expect(ranges.x).toEqual({ type: 'float', low: 9, high: 21, log: false });
    for (const [name, spec] of Object.entries(ranges)) expect(inside(spec, sample.params[name]!)).toBe(true);
  });

  it('draws round 1 only inside the narrowed ranges', async () => {
    const s = space('maximize', 50);
    const sampler = new NarrowingSampler(s);
    const trials: TrialRecord[] = [];
    for (let index = 0; index < 50; index++) {
      const sample = await sampler.sample({ index, history: noHistory });
      const p = sample.params;
      // A peak at x = 30: the best trials cluster there.
      trials.push(trial(index, { round: narrowingRound(sample), params: p, value: -Math.abs((p.x as number) - 30) }));
    }
    const narrowed = roundRanges(s, trials)[1]!;
    const x = narrowed.x as { low: number; high: number };
    // The two best of 50 uniform draws lie within a few units of the peak.
    expect(x.high - x.low).toBeLessThan(10);
    expect(Math.abs((x.low + x.high) / 2 - 30)).toBeLessThan(5);
    for (let index = 50; index < 100; index++) {
      const sample = await sampler.sample({ index, history: history(trials) });
      expect(narrowingRound(sample)).toBe(1);
      for (const [name, spec] of Object.entries(narrowed)) expect(inside(spec, sample.params[name]!)).toBe(true);
    }
  });

  it('keeps the best trials in the objective direction', async () => {
    const max = roundRanges(space('maximize'), round0())[1]!;
    const min = roundRanges(space('minimize'), round0())[1]!;
    expect(max.act).toEqual({ type: 'categorical', choices: ['a', 'b'] });
    expect(max.x).toEqual({ type: 'float', low: 9, high: 21, log: false });
    expect(min.act).toEqual({ type: 'categorical', choices: ['c'] });
    expect(min.x).toEqual({ type: 'float', low: 79, high: 91, log: false });
  });

  it('ignores failed and pruned trials when picking the top, though they finish the round', async () => {
    const trials = [
      ...round0(),
      trial(4, { round: 0, state: 'failed', value: 99, params: { x: 60, lr: 1e-1, act: 'c' } }),
      trial(5, { round: 0, state: 'pruned', value: 98, params: { x: 50, lr: 1e-5, act: 'c' } }),
    ];
    const ranges = roundRanges(space('maximize'), trials)[1]!;
    expect(ranges.x).toEqual({ type: 'float', low: 9, high: 21, log: false });
    expect(ranges.act).toEqual({ type: 'categorical', choices: ['a', 'b'] });
  });

  it('keeps the ranges when every trial of the round failed', () => {
    const failed = round0().map((t) => ({ ...t, state: 'failed' as const, value: null }));
    expect(roundRanges(space(), failed)).toEqual([params, params]);
  });

  it('rejects a waiting draw when the signal aborts, and at once when already aborted', async () => {
    // An hour between polls: the draw can only end this test by noticing the abort itself, not at its next poll.
    const sampler = new NarrowingSampler(space(), { pollMs: 3_600_000 });
    const controller = new AbortController();
    let polls = 0;
    const pending = sampler.sample({ index: 4, history: async () => (polls++, []), signal: controller.signal });
    await waitUntil('the draw has read the history and is waiting', () => polls === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(polls).toBe(1);
    await expect(sampler.sample({ index: 4, history: noHistory, signal: AbortSignal.abort() })).rejects.toThrow(/round 0/);
  });

  it('caches ranges: once round 1 is known it no longer needs the history', async () => {
    const sampler = new NarrowingSampler(space());
    const first = await sampler.sample({ index: 4, history: history(round0()) });
    const again = await sampler.sample({ index: 4, history: noHistory, signal: AbortSignal.abort() });
    expect(again).toEqual(first);
  });
});

describe('roundRanges', () => {
  const round1 = (done: number): TrialRecord[] =>
    Array.from({ length: 4 }, (_, k) =>
      trial(4 + k, { round: 1, state: k < done ? 'complete' : 'running', value: k, params: { x: 12 + k, lr: 2e-4, act: 'a' } }),
    );

  it('returns one entry per computable round, at most `rounds`', () => {
    const s = space();
    expect(roundRanges(s, [])).toEqual([params]);
    expect(roundRanges(s, round0().slice(0, 3))).toHaveLength(1);
    expect(roundRanges(s, round0())).toHaveLength(2);
    expect(roundRanges(s, [...round0(), ...round1(3)])).toHaveLength(2);
    const all = roundRanges(s, [...round0(), ...round1(4)]);
    expect(all).toHaveLength(3);
    const round2: TrialRecord[] = round1(4).map((t) => ({ ...t, number: t.number + 4, samplerState: { round: 2 } }));
    expect(roundRanges(s, [...round0(), ...round1(4), ...round2])).toHaveLength(3);
  });

  it('narrows each round from the previous round, not from the space', () => {
    const ranges = roundRanges(space(), [...round0(), ...round1(4)]);
    // Round 1's best (maximize) are x 15 and 14; round 2 narrows round 1's [9, 21] around them.
    const top: Params[] = [{ x: 15, lr: 2e-4, act: 'a' }, { x: 14, lr: 2e-4, act: 'a' }];
    expect(ranges[2]).toEqual(narrowParams(ranges[1]!, top, 0.1));
    expect(ranges[2]!.x).toEqual({ type: 'float', low: 13.9, high: 15.1, log: false });
    expect(ranges[2]!.act).toEqual({ type: 'categorical', choices: ['a'] });
  });

  it('ignores trials without a round (enqueued by hand)', () => {
    const enqueued = trial(9, { round: null, state: 'running', params: { x: 1, lr: 1e-5, act: 'c' } });
    expect(roundRanges(space(), [...round0(), enqueued])).toHaveLength(2);
  });

  it('refuses a space that is not a narrowing search', () => {
    expect(() => roundRanges(makeSpace(params), [])).toThrow(/narrowing/);
    expect(() => new NarrowingSampler(makeSpace(params))).toThrow(/narrowing/);
  });
});
