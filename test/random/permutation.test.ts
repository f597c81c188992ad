import { describe, expect, it } from 'vitest';
import { IndexPermutation, MAX_PERMUTATION_SIZE } from '../../src/random/permutation.js';
import { rngFor } from '../../src/random/rng.js';

const permutation = (size: number, seed = 1): IndexPermutation => new IndexPermutation(size, rngFor(seed, 'permutation-test'));
const images = (p: IndexPermutation, count = p.size): number[] => Array.from({ length: count }, (_, index) => p.at(index));

/** Every image of [0, size) exactly once, each inverted by indexOf. */
function expectBijection(p: IndexPermutation): void {
  const hits = new Uint8Array(p.size);
  for (let index = 0; index < p.size; index++) {
    const image = p.at(index);
    if (!(image >= 0 && image < p.size && hits[image] === 0)) {
      throw new Error(`size ${p.size}: index ${index} maps to ${image}, out of range or taken`);
    }
    hits[image] = 1;
    if (p.indexOf(image) !== index) throw new Error(`size ${p.size}: indexOf(${image}) is not ${index}`);
  }
}

describe('IndexPermutation', () => {
  it('is a bijection of [0, size) for small sizes, primes and powers of two and their neighbours', () => {
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 17, 20, 31, 32, 33, 60, 97, 127, 128, 129, 1000, 1024, 4093, 4096, 4097, 65_537];
    for (const size of sizes) for (const seed of [1, 2, 3]) expectBijection(permutation(size, seed));
  });

  it('is a bijection of a million-point domain, checked point by point', () => {
    // 2^20 + 1 walks the most: its domain, 2^21, is almost twice its size.
    for (const size of [1_000_003, 2 ** 20 + 1]) expectBijection(permutation(size, 5));
  });

  it('stays exact on domains up to 2^53 - 1: sampled images in range, distinct and inverted', () => {
    for (const size of [2 ** 32 - 1, 2 ** 32 + 15, 1e15 + 37, MAX_PERMUTATION_SIZE]) {
      const p = permutation(size, 11);
      const seen = new Set<number>();
      const indices = [0, 1, 2, size - 2, size - 1, ...Array.from({ length: 2000 }, (_, k) => Math.floor(((k + 0.5) / 2000) * size))];
      for (const index of new Set(indices)) {
        const image = p.at(index);
        expect(Number.isSafeInteger(image)).toBe(true);
        expect(image).toBeGreaterThanOrEqual(0);
        expect(image).toBeLessThan(size);
        expect(p.indexOf(image)).toBe(index);
        seen.add(image);
      }
      expect(seen.size).toBe(new Set(indices).size);
      // Images reach the top of the domain: the high bits are shuffled too, not only the low ones.
      expect(Math.max(...seen)).toBeGreaterThan(size * 0.9);
    }
  });

  it('gives the same order for the same seed, from a fresh stream', () => {
    expect(images(permutation(1000, 7))).toEqual(images(permutation(1000, 7)));
    expect(images(new IndexPermutation(20, rngFor(3, 'grid-order')))).toEqual(images(new IndexPermutation(20, rngFor(3, 'grid-order'))));
  });

  it('gives other orders for other seeds', () => {
    const orders = new Set<string>();
    for (let seed = 0; seed < 50; seed++) orders.add(images(permutation(1000, seed), 20).join());
    expect(orders.size).toBe(50);
    // Even a tiny domain gets several orders: 5 points have 120, and 200 seeds hit most of them.
    const small = new Set<string>();
    for (let seed = 0; seed < 200; seed++) small.add(images(permutation(5, seed)).join());
    expect(small.size).toBeGreaterThan(60);
  });

  it('shuffles: not the identity, and the first images are spread over the whole range', () => {
    const p = permutation(1_000_000, 3);
    const head = images(p, 1000);
    expect(head.filter((image, index) => image === index).length).toBeLessThan(5);
    const tenths = new Array<number>(10).fill(0);
    for (const image of head) tenths[Math.floor(image / 100_000)]!++;
    for (const count of tenths) expect(count).toBeGreaterThan(60);
  });

  it('sends index 0 to every image about equally often across seeds', () => {
    // Uniform over 10 images: 200 each of 2000 seeds; a bin outside 140..260 is 4+ standard deviations off.
    const bins = new Array<number>(10).fill(0);
    for (let seed = 0; seed < 2000; seed++) bins[permutation(10, seed).at(0)]!++;
    for (const count of bins) {
      expect(count).toBeGreaterThan(140);
      expect(count).toBeLessThan(260);
    }
  });

  it('spreads pairs of images evenly even on a tiny domain (enough rounds for one-bit halves)', () => {
    // The images of indices 0 and 1 over 20,000 seeds, 5 points: 20 ordered pairs, 1000 each if
    // uniform. Chi-square with 19 degrees of freedom passes 47.5 with probability 3e-4; eight
    // half-rounds give about 165 here.
    const counts = new Map<string, number>();
    const seeds = 20_000;
    for (let seed = 0; seed < seeds; seed++) {
      const p = permutation(5, seed);
      const pair = `${p.at(0)},${p.at(1)}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
    expect(counts.size).toBe(20);
    const expected = seeds / 20;
    let chiSquare = 0;
    for (const count of counts.values()) chiSquare += (count - expected) ** 2 / expected;
    expect(chiSquare).toBeLessThan(47.5);
  });

  it('refuses sizes it cannot permute exactly, and indices outside the domain', () => {
    for (const size of [0, -1, 1.5, NaN, Infinity, 2 ** 53, 1e20]) {
      expect(() => permutation(size)).toThrow(RangeError);
    }
    const p = permutation(10);
    for (const value of [-1, 10, 2.5, NaN]) {
      expect(() => p.at(value)).toThrow(/outside 0\.\.9/);
      expect(() => p.indexOf(value)).toThrow(/outside 0\.\.9/);
    }
  });
});
