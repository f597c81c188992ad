import { describe, expect, it } from 'vitest';
import type { SuccessiveHalvingSettings } from '../../src/space/pruner-spec.js';
import { SuccessiveHalvingPruner } from '../../src/pruners/successive-halving.js';
import { curveOf, flatPeers, peersWith, pruneSteps, reasonOf, thrownBy } from './helpers.js';

const settings = (overrides: Partial<SuccessiveHalvingSettings> = {}): SuccessiveHalvingSettings => ({
  minResource: 1,
  reductionFactor: 3,
  maxResource: null,
  minEarlyStoppingRate: 0,
  bootstrapCount: 0,
  ...overrides,
});
const asha = (overrides: Partial<SuccessiveHalvingSettings> = {}, metric?: string) =>
  new SuccessiveHalvingPruner(settings(overrides), metric === undefined ? {} : { metric });
const steps1to30 = Array.from({ length: 30 }, (_, i) => i + 1);

describe('SuccessiveHalvingPruner rungs', () => {
  it('places rung k at min_resource · η^(min_early_stopping_rate + k)', () => {
    const pruner = asha(); // rungs at 1, 3, 9, 27
    expect([0, 1, 2, 3, 4, 8, 9, 10, 27, 28].map((s) => pruner.rungAt(s))).toEqual([null, 0, null, 1, null, null, 2, null, 3, null]);
    // 2 · 2^1 = 4, then 8, 16.
    const shifted = asha({ minResource: 2, reductionFactor: 2, minEarlyStoppingRate: 1 });
    expect([2, 4, 6, 8, 16].map((s) => shifted.rungAt(s))).toEqual([null, 0, null, 1, 2]);
  });

  it('has no rung at or past max_resource', () => {
    expect(asha({ maxResource: 9 }).rungAt(9)).toBeNull();
    expect(asha({ maxResource: 9 }).rungAt(3)).toBe(1);
    expect(asha({ maxResource: 10 }).rungAt(9)).toBe(2);
    expect(asha({ maxResource: 10 }).rungAt(27)).toBeNull();
  });

  it('judges a trial only at rung steps', async () => {
    // Eight peers at 0.9 at every step, the trial at 0.1: it loses wherever it is judged.
    const peers = flatPeers(steps1to30, Array.from({ length: 8 }, () => 0.9));
    const curve = curveOf(steps1to30.map(() => 0.1));
    expect(await pruneSteps(asha(), { curve, peers })).toEqual([1, 3, 9, 27]);
    expect(await pruneSteps(asha({ maxResource: 9 }), { curve, peers })).toEqual([1, 3]);
    expect(await pruneSteps(asha({ minEarlyStoppingRate: 1 }), { curve, peers })).toEqual([3, 9, 27]);
    expect(await pruneSteps(asha({ reductionFactor: 2, maxResource: 8 }), { curve, peers })).toEqual([1, 2, 4]);
  });

  it('does not judge a trial that skips a rung step', async () => {
    const peers = flatPeers(steps1to30, [0.9, 0.9, 0.9, 0.9, 0.9]);
    const evenSteps = new Map([2, 4, 6, 8, 10].map((s) => [s, 0.1]));
    expect(await pruneSteps(asha(), { curve: evenSteps, peers })).toEqual([]);
  });
});

describe('SuccessiveHalvingPruner promotion', () => {
  // Eight peers at rung 1 (step 3): 0.9, 0.8, ..., 0.2.
  const peers = peersWith(3, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]);
  const at3 = (value: number) => curveOf([0.5, 0.5, value]);

  it('prunes a trial outside the top ⌊n/η⌋ (maximize)', async () => {
    // n = 9, top ⌊9/3⌋ = 3: sorted desc 0.9, 0.8, 0.7 → needs >= 0.7.
    expect(await reasonOf(asha({}, 'val_accuracy'), { curve: at3(0.31), peers })).toBe(
      'successive halving: rung 1 (step 3): val_accuracy 0.31 is not in the top 3 of 9 trials (needs >= 0.7)',
    );
    expect(await reasonOf(asha(), { curve: at3(0.31), peers })).toBe(
      'successive halving: rung 1 (step 3): 0.31 is not in the top 3 of 9 trials (needs >= 0.7)',
    );
    expect(await reasonOf(asha(), { curve: at3(0.75), peers })).toBeNull();
  });

  it('promotes a trial exactly at the promotion boundary', async () => {
    // With 0.7 twice the third best is still 0.7.
    expect(await reasonOf(asha(), { curve: at3(0.7), peers })).toBeNull();
    expect(await reasonOf(asha(), { curve: at3(0.3), peers, direction: 'minimize' })).toBeNull();
  });

  it('keeps the lowest losses when minimizing', async () => {
    // Sorted asc 0.2, 0.3, 0.35, ...: the top 3 end at 0.35, the trial itself; 0.4 is 4th.
    expect(await reasonOf(asha(), { curve: at3(0.35), peers, direction: 'minimize' })).toBeNull();
    expect(await reasonOf(asha(), { curve: at3(0.45), peers, direction: 'minimize' })).toBe(
      'successive halving: rung 1 (step 3): 0.45 is not in the top 3 of 9 trials (needs <= 0.4)',
    );
  });

  it('promotes the first η - 1 trials only when they are the best so far (⌊n/η⌋ = 0 → top 1)', async () => {
    expect(await reasonOf(asha(), { curve: curveOf([0.1]) })).toBeNull(); // alone: n = 1
    expect(await reasonOf(asha(), { curve: curveOf([0.6]), peers: peersWith(1, [0.5]) })).toBeNull();
    // n = 2, ⌊2/3⌋ = 0 → top 1 → needs >= 0.5.
    expect(await reasonOf(asha(), { curve: curveOf([0.4]), peers: peersWith(1, [0.5]) })).toBe(
      'successive halving: rung 0 (step 1): 0.4 is not in the top 1 of 2 trials (needs >= 0.5)',
    );
    // n = 6 → top 2: sorted 0.9, 0.85 → kept; 0.75 sorts after 0.8 → pruned.
    const five = peersWith(1, [0.9, 0.8, 0.7, 0.6, 0.5]);
    expect(await reasonOf(asha(), { curve: curveOf([0.85]), peers: five })).toBeNull();
    expect(await reasonOf(asha(), { curve: curveOf([0.75]), peers: five })).toBe(
      'successive halving: rung 0 (step 1): 0.75 is not in the top 2 of 6 trials (needs >= 0.8)',
    );
  });

  it('counts peers in every state', async () => {
    const mixed = [...peersWith(1, [0.5, 0.6]), ...peersWith(1, [0.9, 0.9], 'pruned', 200), ...peersWith(1, [0.9], 'running', 300)];
    // n = 6, top 2, sorted 0.9, 0.9, 0.9, 0.7 → needs >= 0.9; complete trials alone (n = 3, top 1) would keep 0.7.
    expect(await reasonOf(asha(), { curve: curveOf([0.7]), peers: mixed })).toBe(
      'successive halving: rung 0 (step 1): 0.7 is not in the top 2 of 6 trials (needs >= 0.9)',
    );
  });

  it('ignores NaN peers', async () => {
    const withNaN = peersWith(1, [NaN, NaN, NaN, NaN, NaN, 0.5, 0.4]);
    // Non-NaN: 0.5, 0.4 and the trial's 0.45: n = 3, top 1 → needs >= 0.5.
    expect(await reasonOf(asha(), { curve: curveOf([0.45]), peers: withNaN })).toBe(
      'successive halving: rung 0 (step 1): 0.45 is not in the top 1 of 3 trials (needs >= 0.5)',
    );
  });

  it('prunes a NaN at a rung step, and leaves a NaN elsewhere to the divergence rule', async () => {
    expect(await reasonOf(asha({}, 'val_loss'), { curve: curveOf([0.5, 0.5, NaN]) })).toBe(
      'successive halving: rung 1 (step 3): val_loss is NaN',
    );
    expect(await reasonOf(asha(), { curve: curveOf([0.5, 0.5, NaN]) })).toBe('successive halving: rung 1 (step 3): the value is NaN');
    expect(await reasonOf(asha(), { curve: curveOf([0.5, NaN]) })).toBeNull();
  });

  it('prunes the first bootstrap_count arrivals at a rung (Optuna: len(competing) <= bootstrap_count)', async () => {
    const pruner = asha({ bootstrapCount: 2 });
    expect(await reasonOf(pruner, { curve: curveOf([0.9]) })).toBe(
      'successive halving: rung 0 (step 1): only 1 trial reached this rung so far; bootstrap_count prunes the first 2',
    );
    expect(await reasonOf(pruner, { curve: curveOf([0.9]), peers: peersWith(1, [0.1]) })).toBe(
      'successive halving: rung 0 (step 1): only 2 trials reached this rung so far; bootstrap_count prunes the first 2',
    );
    // Third arrival: n = 3 > 2, top 1, and 0.9 is the best.
    expect(await reasonOf(pruner, { curve: curveOf([0.9]), peers: peersWith(1, [0.1, 0.2]) })).toBeNull();
  });

  it('rejects impossible settings with the setting\'s name', () => {
    expect(thrownBy(() => asha({ reductionFactor: 1 }))).toBe('E_USAGE pruner.reduction_factor must be an integer >= 2, got 1');
    expect(thrownBy(() => asha({ minResource: 0 }))).toBe('E_USAGE pruner.min_resource must be an integer >= 1, got 0');
    expect(thrownBy(() => asha({ minEarlyStoppingRate: -1 }))).toBe('E_USAGE pruner.min_early_stopping_rate must be an integer >= 0, got -1');
    expect(thrownBy(() => asha({ bootstrapCount: -1 }))).toBe('E_USAGE pruner.bootstrap_count must be an integer >= 0, got -1');
    expect(thrownBy(() => asha({ maxResource: 0 }))).toBe('E_USAGE pruner.max_resource must be an integer >= 1, got 0');
    expect(thrownBy(() => asha({ reductionFactor: 2, maxResource: 100 }))).toBe('no error');
  });
});
