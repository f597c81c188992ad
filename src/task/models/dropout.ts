/**
 * Inverted-dropout masks: each unit is kept with probability 1 - rate and scaled by 1/(1 - rate),
 * so evaluation needs no rescaling.
 *
 * The masks are drawn in JavaScript from mulberry32, seeded from the trial seed, rather than with
 * tf.dropout: that draws tf.randomUniform element by element through seedrandom and then needs a
 * few more ops (measured 190-300 µs for a 100×100 mask against ~25-90 µs here), and native
 * backends would draw differently. These masks depend on the seed and the order of draws only.
 */
import type { Tensor } from '@tensorflow/tfjs';
import { rngFor } from '../../random/rng.js';
import type { Tf } from '../tf.js';

export class MaskSource {
  private state: number;

  constructor(seed: number, purpose = 'dropout') {
    this.state = Math.floor(rngFor(seed, purpose)() * 0x100000000) >>> 0;
  }

  /** A [rows, cols] mask of 0 and 1/(1 - rate). */
  mask(tf: Tf, rows: number, cols: number, rate: number): Tensor {
    return tf.tensor2d(this.draw(new Float32Array(rows * cols), 0, rows * cols, rate), [rows, cols]);
  }

  /**
   * The next `count` mask values written into `into` from `offset` (what mask draws, for a
   * caller that lays several masks out in one array, as a pack does); returns `into`.
   */
  draw(into: Float32Array, offset: number, count: number, rate: number): Float32Array {
    const keep = 1 - rate;
    const scale = 1 / keep;
    // Drawn u < keep ⇔ the 32-bit draw < keep·2³²: compare integers, no division per element.
    const threshold = keep * 0x100000000;
    let state = this.state;
    const end = offset + count;
    for (let i = offset; i < end; i++) {
      // mulberry32
      state = (state + 0x6d2b79f5) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 15), z | 1);
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
      into[i] = (z ^ (z >>> 14)) >>> 0 < threshold ? scale : 0;
    }
    this.state = state;
    return into;
  }
}
