import type { Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tf } from '../../../src/task/tf.js';
import { variableOf } from '../../../src/task/models/initializers.js';
import { applyMaxNorm, clipGradients, unitGroup } from '../../../src/task/train/clipping.js';
import { blobs, mlp, run, trainSpec, wasm } from './helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const values = (t: Tensor) => Array.from(t.dataSync());
const norm = (xs: number[][]) => Math.sqrt(xs.flat().reduce((s, x) => s + x * x, 0));

describe('gradient clipping', () => {
  it('by value holds every element in [-v, v] and leaves smaller ones alone', () => {
    tf.tidy(() => {
      const [a] = clipGradients(tf, [tf.tensor1d([-3, -0.2, 0, 0.4, 9])], { clipValue: 0.5, clipNorm: null });
      expect(values(a!)).toEqual([-0.5, -0.2, 0, 0.4, 0.5].map(Math.fround));
    });
  });

  it('by global norm rescales all gradients together to norm n, keeping their direction', () => {
    tf.tidy(() => {
      const input = [[3, 4], [0, 12]];
      const out = clipGradients(tf, input.map((g) => tf.tensor1d(g)), { clipValue: null, clipNorm: 2 }).map(values);
      expect(norm(out)).toBeCloseTo(2, 5);
      const factor = 2 / 13;
      out.flat().forEach((x, i) => expect(x).toBeCloseTo(input.flat()[i]! * factor, 6));
      const small = clipGradients(tf, [tf.tensor1d([0.3, 0.4])], { clipValue: null, clipNorm: 2 }).map(values);
      expect(small[0]![0]).toBeCloseTo(0.3, 7);
      expect(small[0]![1]).toBeCloseTo(0.4, 7);
    });
  });

  it('scales its thresholds with gradients already multiplied by the learning rate', () => {
    tf.tidy(() => {
      const [a] = clipGradients(tf, [tf.tensor1d([-3, 0.01])], { clipValue: 1, clipNorm: null }, 0.1);
      expect(values(a!)[0]).toBeCloseTo(-0.1, 7);
      expect(values(a!)[1]).toBeCloseTo(0.01, 7);
    });
  });
});

describe('max-norm', () => {
  it('bounds each unit’s incoming weights by m and leaves smaller columns exactly alone', () => {
    const w = variableOf(tf, () => tf.tensor2d([[3, 0.3], [4, 0.4]])); // column norms 5 and 0.5
    tf.tidy(() => applyMaxNorm(tf, [unitGroup(w)], 2));
    const [a, b, c, d] = values(w);
    expect(Math.hypot(a!, c!)).toBeCloseTo(2, 5);
    expect(a! / c!).toBeCloseTo(0.75, 5);
    expect([b, d]).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    w.dispose();
  });

  it('takes the norm over a whole group (a kernel split into blocks, transposed)', () => {
    const left = variableOf(tf, () => tf.tensor2d([[3], [0]]));
    const right = variableOf(tf, () => tf.tensor2d([[4], [1]])); // rows: [3, 4] has norm 5, [0, 1] has norm 1
    tf.tidy(() => applyMaxNorm(tf, [{ vars: [left, right], axes: [1] }], 1));
    expect(values(left)[0]! ** 2 + values(right)[0]! ** 2).toBeCloseTo(1, 5);
    expect([values(left)[1], values(right)[1]]).toEqual([0, 1]);
    tf.dispose([left, right]);
  });

  it('trains with clipping and max-norm on', async () => {
    const { outcome, epochs } = await run(tf, mlp(), trainSpec({ clipNorm: 1, clipValue: 0.5, maxNorm: 1.5, epochs: 4 }), blobs());
    expect(outcome.status).toBe('complete');
    expect(epochs[3]!.train_loss).toBeLessThan(epochs[0]!.train_loss);
  });
});
