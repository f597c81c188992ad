import { describe, expect, it } from 'vitest';
import { NopPruner } from '../../src/pruners/none.js';
import { curveOf, flatPeers, pruneSteps } from './helpers.js';

describe('NopPruner', () => {
  it('never prunes, not even a NaN or the worst trial of the study', async () => {
    const pruner = new NopPruner();
    expect(pruner.name).toBe('none');
    const steps = [1, 2, 3, 4];
    const peers = flatPeers(steps, [0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(await pruneSteps(pruner, { curve: curveOf([0.1, 0.0, NaN, 0.0]), peers })).toEqual([]);
    expect(await pruneSteps(pruner, { curve: curveOf([9, 9, NaN, 9]), peers, direction: 'minimize' })).toEqual([]);
  });
});
