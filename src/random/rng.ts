import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * A generator seeded by the keys alone, e.g. `rngFor(seed, 'random', index)`: every draw gets
 * its own stream, so its values depend only on (seed, purpose, index) and never on which
 * worker drew what before it.
 */
export function rngFor(...keys: (string | number)[]): Rng {
  return seedrandom(`hpsearch:${keys.join(':')}`);
}

/**
 * The seed handed to a trial's objective (weight init, shuffling): a non-negative 31-bit
 * integer, so it fits any API that takes a signed 32-bit seed.
 */
export function trialSeed(studySeed: number, trialNumber: number): number {
  return seedrandom(`hpsearch:trial:${studySeed}:${trialNumber}`).int32() >>> 1;
}
