import { describe, expect, it } from 'vitest';
import { DivergenceCheck } from '../../src/stopping/divergence.js';

describe('DivergenceCheck without a spec', () => {
  it('flags a NaN or infinite metric, naming it and the step', () => {
    expect(new DivergenceCheck(null).observe(4, { train_loss: NaN, val_loss: 1 })).toBe('diverged: train_loss is NaN at step 4');
    expect(new DivergenceCheck(null).observe(2, { train_loss: 1, val_loss: Infinity })).toBe('diverged: val_loss is Infinity at step 2');
    expect(new DivergenceCheck(null).observe(0, { grad_norm: -Infinity })).toBe('diverged: grad_norm is -Infinity at step 0');
  });

  it('names the first non-finite metric in the order they were reported', () => {
    expect(new DivergenceCheck(null).observe(3, { acc: 0.5, val_loss: Infinity, train_loss: NaN })).toBe(
      'diverged: val_loss is Infinity at step 3',
    );
  });

  it('has no growth rule: a finite loss can grow freely', () => {
    const check = new DivergenceCheck(null);
    expect([1, 1000, 1e9].map((v, i) => check.observe(i + 1, { train_loss: v }))).toEqual([null, null, null]);
  });
});

describe('DivergenceCheck with a factor', () => {
  const spec = { monitor: 'train_loss', factor: 3 };

  it('flags a loss over factor × its first value; exactly factor × is not diverged', () => {
    const check = new DivergenceCheck(spec);
    expect(check.observe(1, { train_loss: 2.5 })).toBeNull(); // baseline 2.5; limit 3 × 2.5 = 7.5 (exact in binary)
    expect(check.observe(2, { train_loss: 7.5 })).toBeNull();
    expect(check.observe(3, { train_loss: 7.51 })).toBe('diverged: train_loss 7.51 is over 3 × its first value 2.5 (step 1) at step 3');
  });

  it('takes the baseline from the first step that reports the monitor, and keeps it', () => {
    const check = new DivergenceCheck(spec);
    expect(check.observe(1, { val_loss: 1 })).toBeNull(); // no train_loss yet
    expect(check.observe(2, { train_loss: 2 })).toBeNull(); // baseline 2 → limit 6
    expect(check.observe(3, { train_loss: 0.5 })).toBeNull(); // a lower value does not move the baseline...
    expect(check.observe(4, { train_loss: 5 })).toBeNull(); // ...so 5 < 6 is fine (a baseline of 0.5 would flag it)
    expect(check.observe(5, { val_loss: 100 })).toBeNull(); // other metrics do not count
    expect(check.observe(6, { train_loss: 6.5 })).toBe('diverged: train_loss 6.5 is over 3 × its first value 2 (step 2) at step 6');
  });

  it('skips the factor rule when the first value is 0 or negative', () => {
    const zero = new DivergenceCheck(spec);
    expect([0, 5, 50].map((v, i) => zero.observe(i + 1, { train_loss: v }))).toEqual([null, null, null]);
    const negative = new DivergenceCheck(spec);
    expect([-1, 5].map((v, i) => negative.observe(i + 1, { train_loss: v }))).toEqual([null, null]);
  });

  it('still flags NaN and infinite metrics', () => {
    const check = new DivergenceCheck(spec);
    expect(check.observe(1, { train_loss: 2 })).toBeNull();
    expect(check.observe(2, { train_loss: 2, val_accuracy: NaN })).toBe('diverged: val_accuracy is NaN at step 2');
    expect(check.observe(3, { train_loss: Infinity })).toBe('diverged: train_loss is Infinity at step 3');
  });
});
