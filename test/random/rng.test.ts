import { describe, expect, it } from 'vitest';
import { rngFor, trialSeed } from '../../src/random/rng.js';

describe('rngFor', () => {
  it('gives the same stream for the same keys and different streams for different keys', () => {
    const draw = (...keys: (string | number)[]): number[] => {
      const rng = rngFor(...keys);
      return [rng(), rng(), rng()];
    };
    expect(draw(1, 'random', 7)).toEqual(draw(1, 'random', 7));
    expect(draw(1, 'random', 7)).not.toEqual(draw(1, 'random', 8));
    expect(draw(1, 'random', 7)).not.toEqual(draw(2, 'random', 7));
    expect(draw(1, 'random', 7)).not.toEqual(draw(1, 'narrowing', 7));
    for (const x of draw('x')) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('trialSeed', () => {
  it('is a deterministic non-negative 31-bit integer', () => {
    for (let n = 0; n < 1000; n++) {
      const seed = trialSeed(42, n);
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThan(2 ** 31);
      expect(trialSeed(42, n)).toBe(seed);
    }
  });

  it('differs between trials and between studies', () => {
    const seeds = new Set<number>();
    for (let n = 0; n < 10_000; n++) seeds.add(trialSeed(42, n));
    expect(seeds.size).toBe(10_000);
    expect(trialSeed(1, 5)).not.toBe(trialSeed(2, 5));
    // Not a simple sum: (1, 2) and (2, 1) must not collide.
    expect(trialSeed(1, 2)).not.toBe(trialSeed(2, 1));
  });

  it('spreads over the whole 31-bit range', () => {
    let high = 0;
    for (let n = 0; n < 1000; n++) if (trialSeed(7, n) >= 2 ** 30) high++;
    expect(high / 1000).toBeGreaterThan(0.4);
    expect(high / 1000).toBeLessThan(0.6);
  });
});
