import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggestion } from '../../src/space/did-you-mean.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('low', 'low')).toBe(0);
  });

  it('counts a swap of adjacent letters as one edit', () => {
    expect(editDistance('hgih', 'high')).toBe(1);
    expect(editDistance('stratgey', 'strategy')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});

describe('didYouMean', () => {
  const keys = ['type', 'low', 'high', 'log', 'step', 'values', 'grid'];

  it('suggests the closest key', () => {
    expect(didYouMean('hgih', keys)).toBe('high');
    expect(didYouMean('stpe', keys)).toBe('step');
    expect(didYouMean('value', keys)).toBe('values');
    expect(didYouMean('Low', keys)).toBe('low');
  });

  it('suggests a key the input is a clear prefix of', () => {
    expect(didYouMean('keep', ['rounds', 'trials_per_round', 'keep_top'])).toBe('keep_top');
    expect(didYouMean('trials_per', ['trials', 'trials_per_round'])).toBe('trials_per_round');
  });

  it('prefers a typo over a prefix match', () => {
    expect(didYouMean('trial', ['trials_per_round', 'trials'])).toBe('trials');
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('foo', keys)).toBeUndefined();
    expect(didYouMean('learning_rate', keys)).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('formats a message suffix', () => {
    expect(suggestion('flaot', ['float', 'int'])).toBe('; did you mean "float"?');
    expect(suggestion('zzz', ['float', 'int'])).toBe('');
  });
});
