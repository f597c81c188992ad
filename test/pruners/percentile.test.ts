import { describe, expect, it } from 'vitest';
import { linearPercentile, medianPruner, PercentilePruner } from '../../src/pruners/percentile.js';
import type { PercentileSettings } from '../../src/space/pruner-spec.js';
import { curveOf, flatPeers, peersWith, pruneSteps, reasonOf, thrownBy } from './helpers.js';

const settings = (overrides: Partial<PercentileSettings> = {}): PercentileSettings => ({
  warmupSteps: 0,
  startupTrials: 0,
  minTrials: 1,
  intervalSteps: 1,
  ...overrides,
});
const median = (overrides: Partial<PercentileSettings> = {}) => medianPruner(settings(overrides), { metric: 'val_accuracy' });

describe('linearPercentile (numpy linear interpolation)', () => {
  it('interpolates between the nearest ranks', () => {
    expect(linearPercentile([1, 2, 3, 4], 50)).toBe(2.5); // rank 0.5·3 = 1.5 → 2 + (3 - 2)·0.5
    expect(linearPercentile([10, 20, 30, 40, 50], 25)).toBe(20); // rank 0.25·4 = 1
    expect(linearPercentile([10, 20, 30, 40, 50], 10)).toBeCloseTo(14, 12); // rank 0.4 → 10 + 10·0.4
    expect(linearPercentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(linearPercentile([10, 20, 30, 40, 50], 100)).toBe(50);
  });

  it('sorts a copy, handles one value, no value, and equal infinities', () => {
    const values = [3, 1, 2];
    expect(linearPercentile(values, 50)).toBe(2);
    expect(values).toEqual([3, 1, 2]);
    expect(linearPercentile([7], 90)).toBe(7);
    expect(linearPercentile([], 50)).toBeNaN();
    expect(linearPercentile([1, Infinity, Infinity], 75)).toBe(Infinity); // rank 1.5 between inf and inf
  });
});

describe('median pruner', () => {
  // Complete trials at step 3: sorted [0.2, 0.4, 0.5, 0.6, 0.8], median 0.5.
  const peers = peersWith(3, [0.6, 0.2, 0.8, 0.5, 0.4]);

  it('prunes a trial whose best so far is below the median (maximize)', async () => {
    const reason = await reasonOf(median(), { curve: curveOf([0.1, 0.2, 0.3]), peers });
    expect(reason).toBe('median: best val_accuracy so far 0.3 is below the median 0.5 of 5 complete trials at step 3');
  });

  it('compares the best value so far, not the current one', async () => {
    // Current 0.4 < 0.5, but the best, 0.7 at step 2, is above it.
    expect(await reasonOf(median(), { curve: curveOf([0.1, 0.7, 0.4]), peers })).toBeNull();
  });

  it('keeps a trial exactly at the median (ties never prune)', async () => {
    expect(await reasonOf(median(), { curve: curveOf([0.1, 0.5, 0.5]), peers })).toBeNull();
    expect(await reasonOf(median(), { curve: curveOf([0.5, 0.4, 0.5]), peers, direction: 'minimize' })).toBeNull();
  });

  it('prunes a trial whose lowest loss is above the median (minimize)', async () => {
    const pruner = medianPruner(settings(), { metric: 'val_loss' });
    // Best loss so far is min(0.9, 0.7, 0.6) = 0.6 > 0.5.
    expect(await reasonOf(pruner, { curve: curveOf([0.9, 0.7, 0.6]), peers, direction: 'minimize' })).toBe(
      'median: best val_loss so far 0.6 is above the median 0.5 of 5 complete trials at step 3',
    );
    expect(await reasonOf(pruner, { curve: curveOf([0.9, 0.45, 0.6]), peers, direction: 'minimize' })).toBeNull();
  });

  it('says "value" without a metric name, and "trial" for one', async () => {
    const pruner = medianPruner(settings());
    expect(pruner.name).toBe('median');
    expect(await reasonOf(pruner, { curve: curveOf([0.3]), peers: peersWith(1, [0.5]) })).toBe(
      'median: best value so far 0.3 is below the median 0.5 of 1 complete trial at step 1',
    );
  });

  it('compares only against complete trials: running, pruned and failed ones do not count', async () => {
    const others = [
      ...peersWith(3, [0.9, 0.9, 0.9], 'running', 200),
      ...peersWith(3, [0.95], 'pruned', 300),
      ...peersWith(3, [0.99], 'failed', 400),
    ];
    // Complete median 0.5 → 0.55 is kept; with the others the median of 10 values would be
    // (0.8 + 0.9) / 2 = 0.85 and 0.55 would be pruned.
    expect(await reasonOf(median(), { curve: curveOf([0.1, 0.2, 0.55]), peers: [...peers, ...others] })).toBeNull();
  });

  it('ignores NaN peers, in the percentile and in the counts', async () => {
    const withNaN = peersWith(3, [NaN, 0.9, NaN, 0.1, 0.5]);
    // Non-NaN: [0.1, 0.5, 0.9], median 0.5; 3 trials, not 5.
    expect(await reasonOf(median(), { curve: curveOf([0.1, 0.2, 0.45]), peers: withNaN })).toBe(
      'median: best val_accuracy so far 0.45 is below the median 0.5 of 3 complete trials at step 3',
    );
    // startup_trials 4 > 3 non-NaN complete trials at this step: too early to prune.
    expect(await reasonOf(median({ startupTrials: 4 }), { curve: curveOf([0.1, 0.1, 0.1]), peers: withNaN })).toBeNull();
  });

  it('prunes at once when the current value is NaN, even during the warm-up and with no peers', async () => {
    expect(await reasonOf(median({ warmupSteps: 10, startupTrials: 5 }), { curve: curveOf([0.5, NaN]) })).toBe(
      'median: val_accuracy is NaN at step 2',
    );
  });

  it('ignores an earlier NaN in the trial\'s own curve when taking its best', async () => {
    expect(await reasonOf(median(), { curve: curveOf([NaN, 0.2, 0.6]), peers })).toBeNull();
  });

  it('waits for startup_trials complete trials at the step', async () => {
    const curve = curveOf([0.1, 0.1, 0.1]);
    const four = peersWith(3, [0.5, 0.5, 0.5, 0.5]);
    expect(await reasonOf(median({ startupTrials: 5 }), { curve, peers: four })).toBeNull();
    // Running trials do not count toward the startup.
    const running = peersWith(3, [0.5, 0.5, 0.5], 'running', 200);
    expect(await reasonOf(median({ startupTrials: 5 }), { curve, peers: [...four, ...running] })).toBeNull();
    const five = peersWith(3, [0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(await reasonOf(median({ startupTrials: 5 }), { curve, peers: five })).not.toBeNull();
  });

  it('waits for min_trials complete trials at the step', async () => {
    const curve = curveOf([0.1, 0.1, 0.1]);
    expect(await reasonOf(median({ minTrials: 3 }), { curve, peers: peersWith(3, [0.5, 0.5]) })).toBeNull();
    expect(await reasonOf(median({ minTrials: 3 }), { curve, peers: peersWith(3, [0.5, 0.5, 0.5]) })).not.toBeNull();
  });

  it('never prunes before warmup_steps', async () => {
    const peersAll = flatPeers([1, 2, 3, 4, 5], [0.5, 0.5, 0.5]);
    const curve = curveOf([0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(await pruneSteps(median({ warmupSteps: 3 }), { curve, peers: peersAll })).toEqual([3, 4, 5]);
  });

  describe('interval_steps', () => {
    const steps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const peersAll = flatPeers(steps, [0.5, 0.5, 0.5]);
    const bad = (values: number) => Array.from({ length: values }, () => 0.1);

    it('decides every interval_steps after the warm-up when every step is reported', async () => {
      // Steps from 0, interval 2: the checks fall at 0, 2, 4, 6.
      expect(await pruneSteps(median({ intervalSteps: 2 }), { curve: curveOf(bad(7), 0), peers: peersAll })).toEqual([0, 2, 4, 6]);
      // Warm-up 2, interval 3, steps 1..9: (step - 2) % 3 === 0 → 2, 5, 8.
      expect(await pruneSteps(median({ warmupSteps: 2, intervalSteps: 3 }), { curve: curveOf(bad(9)), peers: peersAll })).toEqual([2, 5, 8]);
    });

    it('decides at the first reported step of each interval (Optuna), so skipped steps postpone a check', async () => {
      // Steps from 1 with interval 2: step 1 is the first report in [0, 2), then 2, 4, 6.
      expect(await pruneSteps(median({ intervalSteps: 2 }), { curve: curveOf(bad(6)), peers: peersAll })).toEqual([1, 2, 4, 6]);
      // Odd steps only, interval 4: first reports in [0,4), [4,8), [8,12) are 1, 5, 9 (none is a multiple of 4).
      const odd = new Map([1, 3, 5, 7, 9].map((s) => [s, 0.1]));
      expect(await pruneSteps(median({ intervalSteps: 4 }), { curve: odd, peers: peersAll })).toEqual([1, 5, 9]);
    });
  });
});

describe('percentile pruner', () => {
  // Complete trials at step 2: [10, 20, 30, 40, 50].
  const peers = peersWith(2, [50, 10, 40, 20, 30]);
  const p = (percentile: number) => new PercentilePruner(percentile, settings());

  it('keeps only the top 25 % when maximizing: compares with the 75th percentile', async () => {
    // rank 0.75·4 = 3 → 40; 35 is above the median (30) but below 40.
    expect(await reasonOf(p(25), { curve: curveOf([35, 35]), peers })).toBe(
      'percentile: best value so far 35 is below the 75th percentile 40 of 5 complete trials at step 2',
    );
    expect(await reasonOf(medianPruner(settings()), { curve: curveOf([35, 35]), peers })).toBeNull();
    expect(await reasonOf(p(25), { curve: curveOf([40, 40]), peers })).toBeNull(); // tie
  });

  it('compares with the 25th percentile when minimizing', async () => {
    // rank 0.25·4 = 1 → 20.
    expect(await reasonOf(p(25), { curve: curveOf([25, 25]), peers, direction: 'minimize' })).toBe(
      'percentile: best value so far 25 is above the 25th percentile 20 of 5 complete trials at step 2',
    );
    expect(await reasonOf(p(25), { curve: curveOf([20, 20]), peers, direction: 'minimize' })).toBeNull(); // tie
  });

  it('interpolates between ranks', async () => {
    // Maximize, p = 10 → 90th percentile: rank 0.9·4 = 3.6 → 40 + (50 - 40)·0.6 = 46.
    expect(await reasonOf(p(10), { curve: curveOf([45.9, 45.9]), peers })).toBe(
      'percentile: best value so far 45.9 is below the 90th percentile 46 of 5 complete trials at step 2',
    );
    expect(await reasonOf(p(10), { curve: curveOf([46.1, 46.1]), peers })).toBeNull();
  });

  it('names ordinals correctly', async () => {
    // Maximize p = 99 → 1st percentile: rank 0.01·4 = 0.04 → 10.4; p = 98 → 2nd: 10.8; p = 97 → 3rd: 11.2.
    expect(await reasonOf(p(99), { curve: curveOf([1, 1]), peers })).toContain('below the 1st percentile 10.4 of');
    expect(await reasonOf(p(98), { curve: curveOf([1, 1]), peers })).toContain('below the 2nd percentile 10.8 of');
    expect(await reasonOf(p(97), { curve: curveOf([1, 1]), peers })).toContain('below the 3rd percentile 11.2 of');
    expect(await reasonOf(p(89), { curve: curveOf([1, 1]), peers })).toContain('below the 11th percentile');
    expect(await reasonOf(p(87.5), { curve: curveOf([1, 1]), peers })).toContain('below the 12.5th percentile 15 of'); // rank 0.5 → 15
  });

  it('rejects impossible settings with the setting\'s name', () => {
    expect(thrownBy(() => p(101))).toBe('E_USAGE pruner.percentile must be between 0 and 100, got 101');
    expect(thrownBy(() => p(NaN))).toBe('E_USAGE pruner.percentile must be between 0 and 100, got NaN');
    expect(thrownBy(() => new PercentilePruner(25, settings({ intervalSteps: 0 })))).toBe(
      'E_USAGE pruner.interval_steps must be an integer >= 1, got 0',
    );
    expect(thrownBy(() => medianPruner(settings({ minTrials: 0 })))).toBe('E_USAGE pruner.min_trials must be an integer >= 1, got 0');
    expect(thrownBy(() => medianPruner(settings({ warmupSteps: -1 })))).toBe('E_USAGE pruner.warmup_steps must be an integer >= 0, got -1');
    expect(thrownBy(() => medianPruner(settings({ startupTrials: 1.5 })))).toBe(
      'E_USAGE pruner.startup_trials must be an integer >= 0, got 1.5',
    );
    expect(thrownBy(() => p(0))).toBe('no error');
  });
});
