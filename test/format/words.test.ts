import { describe, expect, it } from 'vitest';
import { wordList } from '../../src/format/words.js';

describe('wordList', () => {
  it('joins words as a sentence does, the last two by the conjunction', () => {
    expect(wordList([])).toBe('');
    expect(wordList(['adam'])).toBe('adam');
    expect(wordList(['momentum', 'nesterov'])).toBe('momentum and nesterov');
    expect(wordList(['adagrad', 'rmsprop', 'adam'])).toBe('adagrad, rmsprop and adam');
    expect(wordList(['sgd', 'adam'], 'or')).toBe('sgd or adam');
  });
});
