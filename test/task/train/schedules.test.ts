import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../../../src/task/train/schedules.js';
import type { Schedule } from '../../../src/task/types.js';
import { blobs, mlp, run, trainSpec, wasm } from './helpers.js';

const at = (schedule: Schedule, epochs: number) =>
  Array.from({ length: epochs }, (_, epoch) => learningRateAt({ learningRate: 0.1, schedule }, epoch));

describe('learning-rate schedules', () => {
  it('constant keeps the base rate', () => {
    expect(at({ type: 'constant' }, 3)).toEqual([0.1, 0.1, 0.1]);
  });

  it('exponential: lr · rate^(epoch / every)', () => {
    const got = at({ type: 'exponential', rate: 0.5, every: 2 }, 5);
    [0.1, 0.1 * Math.SQRT1_2, 0.05, 0.05 * Math.SQRT1_2, 0.025].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it('step: lr · factor^floor(epoch / every)', () => {
    const got = at({ type: 'step', factor: 0.1, every: 2 }, 5);
    [0.1, 0.1, 0.01, 0.01, 0.001].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it('power: lr · (1 + epoch / every)^-power', () => {
    const got = at({ type: 'power', power: 1, every: 1 }, 4);
    [0.1, 0.05, 0.1 / 3, 0.025].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 12));
  });

  it('reports the rate each epoch trained with', async () => {
    const tf = await wasm();
    const schedule: Schedule = { type: 'step', factor: 0.5, every: 1 };
    const { epochs } = await run(tf, mlp(), trainSpec({ learningRate: 0.08, epochs: 3, schedule }), blobs());
    expect(epochs.map((m) => m.learning_rate)).toEqual([0.08, 0.04, 0.02]);
  });
});
