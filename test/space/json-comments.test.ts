import { describe, expect, it } from 'vitest';
import { parseSpace } from '../../src/space/load.js';
import { issuesOf, SPACES_DIR } from './helpers.js';

/** A valid JSON space file, one key a line, with `extra` inserted as line 2. */
const jsonWith = (extra: string, objective = '"module": "../objectives/noop.mjs", "direction": "maximize"') =>
  [
    '{',
    extra,
    '  "study": "commented",',
    `  "objective": { ${objective} },`,
    '  "search": { "strategy": "random", "trials": 3 },',
    '  "params": { "lr": { "type": "float", "low": 0.001, "high": 0.1 } }',
    '}',
    '',
  ].join('\n');

const message = (line: number) => `JSON does not allow comments (line ${line}); remove them or write the file as YAML`;

describe('comments in a JSON space file', () => {
  it('refuses a // comment with one message naming its line, instead of an unknown key', () => {
    expect(issuesOf(jsonWith('  // the learning rate is searched on a log scale'), 'space.json')).toEqual([
      { path: '', message: message(2), line: 2, column: 3 },
    ]);
  });

  it('refuses a /* */ comment, and names the first of several', () => {
    const text = jsonWith('  /* a note\n     on two lines */').replace('"trials": 3 }', '"trials": 3 } // three');
    expect(issuesOf(text, 'space.json')).toEqual([{ path: '', message: message(2), line: 2, column: 3 }]);
  });

  it('finds a comment at the end of a line and at the start of one', () => {
    const text = jsonWith('  "seed": 4,').replace('"study": "commented",', '"study": "commented", // who');
    expect(issuesOf(text, 'space.JSON')).toEqual([{ path: '', message: message(3), line: 3, column: 25 }]);
    expect(issuesOf(`// top\n${jsonWith('')}`, 'space.json')).toEqual([{ path: '', message: message(1), line: 1, column: 1 }]);
  });

  it('does not take // inside a string for a comment', () => {
    const text = jsonWith('  "description": "see http://example.com/a//b and /* this */",');
    const { space } = parseSpace(text, 'space.json', SPACES_DIR);
    expect(space.study).toBe('commented');
    // Nor in a string with escaped quotes before it, or an unquoted URL that the YAML reading accepts.
    const escaped = jsonWith('  "description": "a \\"quoted\\" http://x",');
    expect(parseSpace(escaped, 'space.json', SPACES_DIR).space.study).toBe('commented');
    const unquoted = jsonWith('  "description": http://example.com/x,');
    expect(parseSpace(unquoted, 'space.json', SPACES_DIR).raw).toMatchObject({ description: 'http://example.com/x' });
  });

  it('still finds the comment after a string with // in it on the same line', () => {
    const line = '  "description": "http://x", // where it came from';
    expect(issuesOf(jsonWith(line), 'space.json')).toEqual([{ path: '', message: message(2), line: 2, column: line.indexOf('// where') + 1 }]);
  });

  it('leaves YAML files to YAML, where # starts a comment and // is text', () => {
    const yaml = jsonWith('  "description": //not a comment in YAML,');
    expect(parseSpace(yaml, 'space.yaml', SPACES_DIR).raw).toMatchObject({ description: '//not a comment in YAML' });
  });

  it('reports other JSON mistakes as before', () => {
    const issues = issuesOf(jsonWith('  "seed": 1,,'), 'space.json');
    expect(issues[0]!.message).not.toMatch(/comments/);
    expect(issues[0]!.line).toBe(2);
  });
});
