import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../src/space/types.js';
import { EarlyStopping } from '../../src/stopping/early-stopping.js';
import type { EarlyStoppingSpec } from '../../src/space/stopping-spec.js';

const spec = (overrides: Partial<EarlyStoppingSpec> = {}): EarlyStoppingSpec => ({
  monitor: 'val_loss',
  mode: 'min',
  patience: 3,
  minDelta: 0,
  restoreBest: false,
  ...overrides,
});

/** Feeds `values` of the monitor at steps first, first + 1, ...; returns each step's answer. */
function run(rule: EarlyStopping, values: readonly (number | undefined)[], monitor = 'val_loss', first = 1): (string | null)[] {
  return values.map((v, i) => {
    const metrics: Metrics = v === undefined ? { train_loss: 0.5 } : { [monitor]: v, train_loss: 0.5 };
    return rule.observe(first + i, metrics);
  });
}

/** The step at which the rule first says stop, or null. */
function stopStep(rule: EarlyStopping, values: readonly (number | undefined)[], monitor = 'val_loss', first = 1): number | null {
  const index = run(rule, values, monitor, first).findIndex((r) => r !== null);
  return index === -1 ? null : first + index;
}

describe('EarlyStopping', () => {
  it('stops after patience steps without improvement, with the best value and step in the reason', () => {
    const rule = new EarlyStopping(spec());
    // Best 0.9 at step 2; steps 3, 4, 5 do not beat it → stop at step 5.
    expect(run(rule, [1.0, 0.9, 0.95, 0.92, 0.91])).toEqual([
      null,
      null,
      null,
      null,
      'early stopping: val_loss did not improve by more than 0 for 3 steps (best 0.9 at step 2)',
    ]);
    expect(rule.bestStep).toBe(2);
    expect(rule.best).toBe(0.9);
  });

  it('resets the count on an improvement', () => {
    const rule = new EarlyStopping(spec());
    // 0.85 at step 5 is new best: the three misses counted from step 6 end at step 8.
    expect(stopStep(rule, [1.0, 0.9, 0.95, 0.92, 0.85, 0.9, 0.9, 0.9])).toBe(8);
    expect(rule.bestStep).toBe(5);
  });

  it('needs an improvement of more than min_delta (min mode)', () => {
    const rule = new EarlyStopping(spec({ minDelta: 0.1 }));
    // Best 1.0: needs < 0.9. 0.95 no, 0.9 exactly no (1.0 - 0.1 === 0.9), 0.89 yes.
    expect(run(rule, [1.0, 0.95, 0.9, 0.89])).toEqual([null, null, null, null]);
    expect(rule.bestStep).toBe(4);
    const strict = new EarlyStopping(spec({ minDelta: 0.1 }));
    expect(run(strict, [1.0, 0.95, 0.9, 0.91])[3]).toBe(
      'early stopping: val_loss did not improve by more than 0.1 for 3 steps (best 1 at step 1)',
    );
  });

  it('watches for increases in max mode; an equal value is no improvement', () => {
    const rule = new EarlyStopping(spec({ monitor: 'val_accuracy', mode: 'max', patience: 2 }));
    expect(run(rule, [0.5, 0.6, 0.6, 0.59], 'val_accuracy')).toEqual([
      null,
      null,
      null,
      'early stopping: val_accuracy did not improve by more than 0 for 2 steps (best 0.6 at step 2)',
    ]);
    const delta = new EarlyStopping(spec({ monitor: 'val_accuracy', mode: 'max', patience: 2, minDelta: 0.05 }));
    // Best 0.5: 0.54 is not > 0.55, 0.56 is (best step 3); then 0.6 twice is not > 0.61 → stop at step 5.
    expect(stopStep(delta, [0.5, 0.54, 0.56, 0.6, 0.6], 'val_accuracy')).toBe(5);
    expect(delta.bestStep).toBe(3);
  });

  it('ignores steps that do not report the monitor', () => {
    const rule = new EarlyStopping(spec({ patience: 2 }));
    // Observed misses at steps 3 and 5 only (steps 2 and 4 have no val_loss).
    expect(stopStep(rule, [1.0, undefined, 1.1, undefined, 1.2])).toBe(5);
    expect(rule.bestStep).toBe(1);
  });

  it('counts NaN as no improvement, and never as the best', () => {
    const rule = new EarlyStopping(spec({ patience: 2 }));
    expect(run(rule, [1.0, NaN, NaN])[2]).toBe('early stopping: val_loss did not improve by more than 0 for 2 steps (best 1 at step 1)');
    const nanFirst = new EarlyStopping(spec({ patience: 2 }));
    expect(run(nanFirst, [NaN, 2.0, 2.5])).toEqual([null, null, null]);
    expect(nanFirst.bestStep).toBe(2);
    const allNaN = new EarlyStopping(spec({ patience: 2 }));
    expect(run(allNaN, [NaN, NaN])[1]).toBe('early stopping: val_loss did not improve by more than 0 for 2 steps (no value yet)');
    expect(allNaN.bestStep).toBeNull();
  });

  it('with patience 0 stops at the first step without improvement', () => {
    const rule = new EarlyStopping(spec({ patience: 0 }));
    expect(run(rule, [1.0, 0.9, 0.9])).toEqual([
      null,
      null,
      'early stopping: val_loss did not improve by more than 0 for 1 step (best 0.9 at step 2)',
    ]);
  });

  it('starts with no best step and works with steps from 0', () => {
    const rule = new EarlyStopping(spec({ patience: 1 }));
    expect(rule.bestStep).toBeNull();
    expect(rule.best).toBeNull();
    expect(stopStep(rule, [0.5, 0.4, 0.45], 'val_loss', 0)).toBe(2);
    expect(rule.bestStep).toBe(1);
  });
});
