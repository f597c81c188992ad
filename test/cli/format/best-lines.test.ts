import { describe, expect, it } from 'vitest';
import { formatBestLines, metricLabel, paramLabel } from '../../../src/cli/format/best-lines.js';
import { CONDITIONAL_ROWS, ROWS, row } from './fixtures.js';

describe('formatBestLines', () => {
  it('prints the book-style summary', () => {
    expect(formatBestLines(ROWS, 'val_accuracy')).toEqual([
      'Best-1 (val acc: 0.83) | lr: 9.2e-3, weight decay: 3.9e-7',
      'Best-2 (val acc: 0.7625) | lr: 0.0123, weight decay: 1e-5',
      'Best-3 (val acc: 0.5) | lr: 0.1, weight decay: 2.5e-6, optimizer: adam',
    ]);
  });

  it('keeps the row order of params and handles odd values', () => {
    const rows = [
      row({ rank: 1, value: null, params: { use_bn: true, lr: 0.5, act: null } }),
      row({ rank: 2, value: Number.NaN, params: {} }),
      row({ rank: 3, value: 0.123456, params: { hidden_units: 128 } }),
    ];
    expect(formatBestLines(rows, 'val_loss')).toEqual([
      'Best-1 (val loss: -) | use bn: true, lr: 0.5, act: null',
      'Best-2 (val loss: NaN)',
      'Best-3 (val loss: 0.1235) | hidden units: 128',
    ]);
  });

  it('leaves out a param the trial lacks rather than showing it as null', () => {
    expect(formatBestLines(CONDITIONAL_ROWS, 'acc')).toEqual([
      'Best-1 (acc: 0.9) | optimizer: sgd, lr: 0.01, act: relu',
      'Best-2 (acc: 0.8) | optimizer: momentum, momentum: 0.9, lr: 1e-3, act: null, depth: 3',
    ]);
  });

  it('returns no lines for no rows', () => {
    expect(formatBestLines([], 'accuracy')).toEqual([]);
  });
});

describe('labels', () => {
  it.each([
    ['val_accuracy', 'val acc'],
    ['val_acc', 'val acc'],
    ['accuracy', 'acc'],
    ['val_loss', 'val loss'],
    ['top_5_error', 'top 5 error'],
    ['loss', 'loss'],
  ])('metric %s → %s', (name, label) => {
    expect(metricLabel(name)).toBe(label);
  });

  it.each([
    ['learning_rate', 'lr'],
    ['lr', 'lr'],
    ['weight_decay', 'weight decay'],
    ['dropout', 'dropout'],
  ])('param %s → %s', (name, label) => {
    expect(paramLabel(name)).toBe(label);
  });
});
