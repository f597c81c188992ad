/**
 * Models of the built-in task: plain tf.Variables and a forward function written with TF.js ops
 * (tfjs-layers' model.fit measured 5-7 s for a best-5 trial; this, under 1 s).
 */
import type { Tf } from '../tf.js';
import type { ModelSpec } from '../types.js';
import { createCnn } from './cnn.js';
import { createMlp } from './mlp.js';
import type { Model, ModelShape } from './model-types.js';

/** A model with weights drawn from `seed` (and, for dropout, masks drawn from it too). */
export function createModel(tf: Tf, spec: ModelSpec, shape: ModelShape, seed: number): Model {
  return spec.type === 'mlp' ? createMlp(tf, spec, shape, seed) : createCnn(tf, spec, shape, seed);
}
