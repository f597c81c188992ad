import type { GradConfig, Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/task/backend.js';
import { type Tf } from '../../../src/task/tf.js';
import { fastBatchMatMulGrad, originalBatchMatMulGradient, registerFastGradients } from '../../../src/task/fast-gradients.js';

let tf: Tf;
let original: GradConfig;

beforeAll(async () => {
  tf = (await initBackend('wasm')).tf;
  original = originalBatchMatMulGradient(tf)!;
});

function maxDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const CASES = [
  { transposeA: false, transposeB: false, a: [3, 5], b: [5, 4] },
  { transposeA: false, transposeB: true, a: [3, 5], b: [4, 5] },
  { transposeA: true, transposeB: false, a: [5, 3], b: [5, 4] },
  { transposeA: true, transposeB: true, a: [5, 3], b: [4, 5] },
] as const;

describe('fast BatchMatMul gradient', () => {
  for (const c of CASES) {
    for (const batch of [[], [2]]) {
      it(`equals TF.js's for transposeA=${c.transposeA} transposeB=${c.transposeB}${batch.length ? ' (rank 3)' : ''}`, () => {
        tf.tidy(() => {
          const a = tf.randomNormal([...batch, ...c.a], 0, 1, 'float32', 1);
          const b = tf.randomNormal([...batch, ...c.b], 0, 1, 'float32', 2);
          const y = tf.matMul(a, b, c.transposeA, c.transposeB);
          const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
          const attrs = { transposeA: c.transposeA, transposeB: c.transposeB };
          const fast = fastBatchMatMulGrad(tf, dy, [a, b], attrs);
          const reference = original.gradFunc(dy, [a, b], attrs) as { a: () => Tensor; b: () => Tensor };
          expect(maxDiff(fast.a(), reference.a())).toBeLessThan(1e-5);
          expect(maxDiff(fast.b(), reference.b())).toBeLessThan(1e-5);
          // And through autodiff, with the fast gradient registered.
          const [ga, gb] = tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.mul(tf.matMul(p, q, c.transposeA, c.transposeB), dy)))([a, b]);
          expect(maxDiff(ga!, reference.a())).toBeLessThan(1e-5);
          expect(maxDiff(gb!, reference.b())).toBeLessThan(1e-5);
        });
      });
    }
  }

  it('registers once: a second call keeps the registered config', () => {
    const before = tf.getGradient('BatchMatMul');
    registerFastGradients(tf);
    expect(tf.getGradient('BatchMatMul')).toBe(before);
    expect(originalBatchMatMulGradient(tf)).toBe(original);
    expect(before).not.toBe(original);
  });
});
