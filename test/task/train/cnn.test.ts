import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { conv2dSame, filterGradient, hasKernel } from '../../../src/task/models/conv.js';
import { cnn, run, tinyImages, trainSpec, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

/** Naive stride-1 "same" convolution gradients (TensorFlow's padding: the odd pixel after). */
function reference(x: number[], xs: number[], w: number[], ws: number[], dy: number[]): { dx: number[]; dw: number[] } {
  const [n, h, wd, c] = xs as [number, number, number, number];
  const [kh, kw, , o] = ws as [number, number, number, number];
  const top = Math.floor((kh - 1) / 2);
  const left = Math.floor((kw - 1) / 2);
  const X = (b: number, i: number, j: number, ch: number) => (i < 0 || j < 0 || i >= h || j >= wd ? 0 : x[((b * h + i) * wd + j) * c + ch]!);
  const W = (a: number, bb: number, ch: number, out: number) => w[((a * kw + bb) * c + ch) * o + out]!;
  const dw = new Array<number>(kh * kw * c * o).fill(0);
  const dx = new Array<number>(x.length).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < wd; j++)
        for (let out = 0; out < o; out++) {
          const g = dy[((b * h + i) * wd + j) * o + out]!;
          for (let a = 0; a < kh; a++)
            for (let bb = 0; bb < kw; bb++)
              for (let ch = 0; ch < c; ch++) {
                const [p, q] = [i + a - top, j + bb - left];
                dw[((a * kw + bb) * c + ch) * o + out]! += X(b, p, q, ch) * g;
                if (p >= 0 && q >= 0 && p < h && q < wd) dx[((b * h + p) * wd + q) * c + ch]! += W(a, bb, ch, out) * g;
              }
        }
  return { dx, dw };
}

const close = (got: Tensor, want: number[]) => {
  const values = got.dataSync();
  expect(values.length).toBe(want.length);
  want.forEach((v, i) => expect(values[i]).toBeCloseTo(v, 3));
};

describe('conv2d gradients on wasm', () => {
  it('wasm lacks Conv2DBackpropFilter (why conv2dSame brings its own)', () => {
    expect(hasKernel(tf, 'Conv2DBackpropFilter')).toBe(false);
    expect(hasKernel(tf, 'Conv2D')).toBe(true);
  });

  for (const k of [3, 2]) {
    it(`match a naive reference for a ${k}×${k} kernel`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, 5, 4, 2], 0, 1, 'float32', 1) as Tensor4D;
        const w = tf.randomNormal([k, k, 2, 3], 0, 1, 'float32', 2) as Tensor4D;
        const dy = tf.randomNormal([2, 5, 4, 3], 0, 1, 'float32', 3) as Tensor4D;
        const want = reference(Array.from(x.dataSync()), x.shape, Array.from(w.dataSync()), w.shape, Array.from(dy.dataSync()));
        close(filterGradient(tf, x, dy, w.shape), want.dw);
        const [dx, dw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(conv2dSame(tf, a as Tensor4D, b as Tensor4D), dy)))([x, w]);
        close(dx!, want.dx);
        close(dw!, want.dw);
      });
    });
  }
});

describe('cnn', () => {
  it('trains on tiny 8×8 images without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const { outcome, epochs } = await run(tf, cnn(), trainSpec({ optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 4 }), tinyImages());
    expect(outcome.status).toBe('complete');
    expect(epochs[3]!.train_loss).toBeLessThan(epochs[0]!.train_loss);
    expect(tf.memory().numTensors).toBe(before);
  });
});
