import { describe, expect, it } from 'vitest';
import { bracketBudgets, bracketCount, crc32, HyperbandPruner, hyperbandBracket } from '../../src/pruners/hyperband.js';
import type { HyperbandSettings } from '../../src/pruners/hyperband.js';
import type { TrialState } from '../../src/trial-state.js';
import { curveOf, pruneSteps, reasonOf, thrownBy } from './helpers.js';
import type { SyntheticTrial } from './helpers.js';

const nine: HyperbandSettings = { minResource: 1, reductionFactor: 3, maxResource: 9 };

/** Trials `numbers`, each reporting `value` at every step of `steps`. */
function trialsNumbered(numbers: readonly number[], steps: readonly number[], value: number, state: TrialState = 'complete'): SyntheticTrial[] {
  return numbers.map((number) => ({ number, state, curve: new Map(steps.map((s) => [s, value])) }));
}

describe('hyperband brackets', () => {
  it('computes CRC-32 as Python\'s binascii.crc32 does', () => {
    expect(crc32('123456789')).toBe(0xcbf43926); // the standard CRC-32 check value
    expect(crc32('')).toBe(0);
    expect(crc32('study_0')).toBe(368277276); // binascii.crc32(b'study_0')
    expect(crc32('hb_1')).toBe(4168637983); // above 2^31: the result is unsigned
  });

  it('counts floor(log_η(max / min)) + 1 brackets, in exact integer arithmetic', () => {
    expect(bracketCount(nine)).toBe(3); // log_3 9 = 2
    expect(bracketCount({ minResource: 1, reductionFactor: 3, maxResource: 8 })).toBe(2); // log_3 8 ≈ 1.89
    expect(bracketCount({ minResource: 2, reductionFactor: 2, maxResource: 10 })).toBe(3); // log_2 5 ≈ 2.32
    // Math.log(243) / Math.log(3) is 4.999...: a float log would find 5 brackets, not 6.
    expect(bracketCount({ minResource: 1, reductionFactor: 3, maxResource: 243 })).toBe(6);
  });

  it('gives bracket b the budget ceil(n · η^s / (s + 1)), s = n - 1 - b', () => {
    // n = 3: s = 2 → ceil(3·9/3) = 9; s = 1 → ceil(3·3/2) = 5; s = 0 → 3.
    expect(bracketBudgets(nine)).toEqual([9, 5, 3]);
    // n = 4: ceil(4·27/4) = 27, ceil(4·9/3) = 12, ceil(4·3/2) = 6, 4.
    expect(bracketBudgets({ minResource: 1, reductionFactor: 3, maxResource: 27 })).toEqual([27, 12, 6, 4]);
  });

  it('assigns the brackets Optuna would (crc32(`${study}_${number}`) % total budget)', () => {
    // Computed with Python's binascii.crc32 and Optuna's _get_bracket_id loop.
    const hb = new HyperbandPruner(nine);
    expect(Array.from({ length: 30 }, (_, n) => hb.bracketOf('hb', n))).toEqual([
      0, 0, 2, 2, 1, 1, 1, 2, 1, 0, 1, 0, 1, 1, 1, 0, 2, 0, 2, 0, 0, 0, 0, 0, 1, 1, 1, 2, 0, 0,
    ]);
    const big = { minResource: 1, reductionFactor: 3, maxResource: 27 };
    expect(Array.from({ length: 20 }, (_, n) => hyperbandBracket(big, 'mnist-mlp', n))).toEqual([
      0, 3, 2, 1, 0, 1, 0, 1, 0, 2, 1, 1, 1, 2, 0, 1, 1, 1, 0, 3,
    ]);
    expect(new HyperbandPruner(nine).bracketOf('hb', 27)).toBe(hyperbandBracket(nine, 'hb', 27));
  });

  it('spreads trials over the brackets in proportion to their budgets', () => {
    const count = (settings: HyperbandSettings, study: string, trials: number): number[] => {
      const counts = bracketBudgets(settings).map(() => 0);
      for (let n = 0; n < trials; n++) counts[hyperbandBracket(settings, study, n)]!++;
      return counts;
    };
    const big = { minResource: 1, reductionFactor: 3, maxResource: 27 };
    const a = count(nine, 'dist', 17_000); // expected 9000 : 5000 : 3000
    const b = count(big, 'other', 4_900); // expected 2700 : 1200 : 600 : 400
    expect(a).toEqual([9105, 4998, 2897]); // Python, same formula
    expect(b).toEqual([2634, 1250, 619, 397]);
    [9000, 5000, 3000].forEach((expected, i) => expect(Math.abs(a[i]! - expected) / expected).toBeLessThan(0.06));
    [2700, 1200, 600, 400].forEach((expected, i) => expect(Math.abs(b[i]! - expected) / expected).toBeLessThan(0.06));
  });
});

describe('HyperbandPruner decisions', () => {
  // Study 'hb': bracket 0 = trials 0, 1, 9, 11, 15, 17, 19, 20; bracket 1 = 4, 5, 6, 8, 10, 12, 13, 14;
  // bracket 2 = 2, 3, 7, 16, 18 (see the assignment test above).
  const steps = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pruner = new HyperbandPruner(nine);

  it('is named hyperband and has one successive-halving pruner per bracket', () => {
    expect(pruner.name).toBe('hyperband');
    expect(pruner.bracketCount).toBe(3);
  });

  it('judges each bracket at its own rungs: bracket b starts at η^b, none at max_resource', async () => {
    const curve = curveOf(steps.map(() => 0.1));
    const strong = (numbers: number[]) => trialsNumbered(numbers, steps, 0.9);
    // Bracket 0: rungs at 1 and 3 (9 is max_resource).
    expect(await pruneSteps(pruner, { study: 'hb', trial: 0, curve, peers: strong([1, 9, 11, 15, 17]) })).toEqual([1, 3]);
    // Bracket 1: the rung at 3 only.
    expect(await pruneSteps(pruner, { study: 'hb', trial: 4, curve, peers: strong([5, 6, 8, 10, 12]) })).toEqual([3]);
    // Bracket 2 would start at 9 = max_resource: it never prunes (Hyperband's plain random-search bracket).
    expect(await pruneSteps(pruner, { study: 'hb', trial: 2, curve, peers: strong([3, 7, 16, 18]) })).toEqual([]);
  });

  it('compares a trial only with trials of its own bracket', async () => {
    const curve = curveOf([0.5]);
    const others = trialsNumbered([4, 5, 2], [1], 0.9); // brackets 1, 1, 2
    // Bracket 0 holds 0.1, 0.2 and the trial's 0.5: n = 3, top 1 → kept. With the others it
    // would be n = 6, top 2, needing >= 0.9.
    const own = [...trialsNumbered([1], [1], 0.1), ...trialsNumbered([9], [1], 0.2)];
    expect(await reasonOf(pruner, { study: 'hb', trial: 0, curve, peers: [...own, ...others] })).toBeNull();

    // Two more of bracket 0 at 0.8 and 0.9: n = 5, top 1 → needs >= 0.9. Counting the others at
    // 0.0 it would say "top 2 of 8".
    const own5 = [...own, ...trialsNumbered([11], [1], 0.8), ...trialsNumbered([15], [1], 0.9, 'pruned')];
    const weakOthers = trialsNumbered([4, 5, 2], [1], 0.0);
    expect(await reasonOf(pruner, { study: 'hb', trial: 0, curve, peers: [...own5, ...weakOthers] })).toBe(
      'hyperband bracket 0: rung 0 (step 1): 0.5 is not in the top 1 of 5 trials (needs >= 0.9)',
    );
  });

  it('rejects impossible settings with the setting\'s name', () => {
    expect(thrownBy(() => new HyperbandPruner({ ...nine, maxResource: 1 }))).toBe(
      'E_USAGE pruner.max_resource must be an integer > pruner.min_resource (1), got 1',
    );
    expect(thrownBy(() => new HyperbandPruner({ ...nine, reductionFactor: 1 }))).toBe(
      'E_USAGE pruner.reduction_factor must be an integer >= 2, got 1',
    );
    expect(thrownBy(() => new HyperbandPruner({ ...nine, minResource: 0 }))).toBe('E_USAGE pruner.min_resource must be an integer >= 1, got 0');
    expect(thrownBy(() => new HyperbandPruner({ ...nine, maxResource: 2 }))).toBe('no error');
  });
});
