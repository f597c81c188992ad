import { describe, expect, it } from 'vitest';
import { defaultPrunerSpec } from '../../src/space/pruner-spec.js';
import { createPruner, HyperbandPruner, NopPruner, PercentilePruner, pruners, SuccessiveHalvingPruner } from '../../src/pruners/index.js';
import { PRUNER_TYPES } from '../../src/space/pruner-spec.js';
import type { PrunerSpec } from '../../src/space/pruner-spec.js';
import { curveOf, peersWith, reasonOf, thrownBy } from './helpers.js';

const shaSpec: Extract<PrunerSpec, { type: 'successive_halving' }> = { type: 'successive_halving', minResource: 1, reductionFactor: 3, maxResource: 27, minEarlyStoppingRate: 0, bootstrapCount: 0 };

describe('createPruner', () => {
  it('has one factory per pruner type, and only those', () => {
    expect(Object.keys(pruners).sort()).toEqual([...PRUNER_TYPES].sort());
  });

  it('builds each type with its name', () => {
    const built = PRUNER_TYPES.map((type) => createPruner(defaultPrunerSpec(type, 27)));
    expect(built.map((p) => p.name)).toEqual(['none', 'median', 'percentile', 'successive_halving', 'hyperband']);
    expect(built.map((p) => p.constructor)).toEqual([NopPruner, PercentilePruner, PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner]);
  });

  it('passes the spec\'s settings and the metric name through', async () => {
    const median = createPruner({ type: 'median', warmupSteps: 0, startupTrials: 1, minTrials: 1, intervalSteps: 1 }, { metric: 'val_accuracy' });
    // Complete trials at step 1: [0.2, 0.6, 0.9] → median 0.6.
    expect(await reasonOf(median, { curve: curveOf([0.5]), peers: peersWith(1, [0.2, 0.6, 0.9]) })).toBe(
      'median: best val_accuracy so far 0.5 is below the median 0.6 of 3 complete trials at step 1',
    );
    // The default startup_trials (5) is more than the 3 complete trials: no decision yet.
    const byDefault = createPruner(defaultPrunerSpec('median', null));
    expect(await reasonOf(byDefault, { curve: curveOf([0.5]), peers: peersWith(1, [0.2, 0.6, 0.9]) })).toBeNull();

    // percentile 10 while maximizing → the 90th percentile of [0.2, 0.6, 0.9]: rank 1.8 → 0.6 + 0.3·0.8 = 0.84.
    const p10 = createPruner({ type: 'percentile', percentile: 10, warmupSteps: 0, startupTrials: 0, minTrials: 1, intervalSteps: 1 });
    expect(await reasonOf(p10, { curve: curveOf([0.8]), peers: peersWith(1, [0.2, 0.6, 0.9]) })).toBe(
      'percentile: best value so far 0.8 is below the 90th percentile 0.84 of 3 complete trials at step 1',
    );

    const sha = createPruner({ ...shaSpec, reductionFactor: 2 }, { metric: 'val_loss' });
    // η = 2: rungs 1, 2, 4, 8, 16; n = 4 at step 2 → top 2 of [0.1, 0.2, 0.3, 0.4] → needs <= 0.2.
    expect(await reasonOf(sha, { curve: curveOf([0.5, 0.3]), peers: peersWith(2, [0.1, 0.2, 0.4]), direction: 'minimize' })).toBe(
      'successive halving: rung 1 (step 2): val_loss 0.3 is not in the top 2 of 4 trials (needs <= 0.2)',
    );
  });

  it('rejects impossible settings', () => {
    expect(thrownBy(() => createPruner({ ...shaSpec, reductionFactor: 1 }))).toBe(
      'E_USAGE pruner.reduction_factor must be an integer >= 2, got 1',
    );
    expect(thrownBy(() => createPruner({ type: 'hyperband', minResource: 3, reductionFactor: 3, maxResource: 3 }))).toBe(
      'E_USAGE pruner.max_resource must be an integer > pruner.min_resource (3), got 3',
    );
  });
});
