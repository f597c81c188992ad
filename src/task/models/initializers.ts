/**
 * Weight initialisation, seeded. Keras (2.3+/TF2) semantics, which the book's results come from:
 *
 * - random_normal: N(0, initStd²), not truncated (Keras RandomNormal).
 * - random_uniform: U(-initStd, initStd).
 * - glorot_normal, he_normal: truncated normal (cut at ±2σ and redrawn), with σ divided by
 *   0.8796… so the truncated draws still have variance 2/(fan_in+fan_out) resp. 2/fan_in
 *   (Keras VarianceScaling with distribution "truncated_normal").
 * - glorot_uniform: U(±√(6/(fan_in+fan_out))); he_uniform: U(±√(6/fan_in)).
 *
 * Fans: a dense kernel [in, out] has fan_in = in, fan_out = out; a conv kernel [kh, kw, in, out]
 * has fan_in = kh·kw·in and fan_out = kh·kw·out. Biases start at zero.
 *
 * TF.js draws these in JavaScript (seedrandom), so the values depend on the seed only, not on
 * the backend.
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { rngFor } from '../../random/rng.js';
import type { Tf } from '../tf.js';
import type { Initializer } from '../types.js';

/** Standard deviation of a N(0, 1) truncated at ±2: Keras' correction factor. */
const TRUNCATED_STD = 0.87962566103423978;

export interface InitSpec {
  initializer: Initializer;
  initStd: number;
}

export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

/** A 31-bit seed for one tensor, from the trial seed and the tensor's name. */
export function tensorSeed(seed: number, ...keys: (string | number)[]): number {
  return Math.floor(rngFor(seed, 'init', ...keys)() * 0x7fffffff);
}

export function initialWeights(tf: Tf, shape: number[], spec: InitSpec, seed: number): Tensor {
  const { fanIn, fanOut } = fans(shape);
  switch (spec.initializer) {
    case 'random_normal':
      return tf.randomNormal(shape, 0, spec.initStd, 'float32', seed);
    case 'random_uniform':
      return tf.randomUniform(shape, -spec.initStd, spec.initStd, 'float32', seed);
    case 'glorot_normal':
      return tf.truncatedNormal(shape, 0, Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATED_STD, 'float32', seed);
    case 'he_normal':
      return tf.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn) / TRUNCATED_STD, 'float32', seed);
    case 'glorot_uniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return tf.randomUniform(shape, -limit, limit, 'float32', seed);
    }
    case 'he_uniform': {
      const limit = Math.sqrt(6 / fanIn);
      return tf.randomUniform(shape, -limit, limit, 'float32', seed);
    }
  }
}

/** A variable holding `make()`'s values; the temporary tensor is disposed (tf.variable copies the reference, not the count). */
export function variableOf(tf: Tf, make: () => Tensor, trainable = true): Variable {
  const initial = make();
  try {
    return tf.variable(initial, trainable);
  } finally {
    initial.dispose();
  }
}
