import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStudy } from '../../src/study/create.js';
import { openStorage } from '../../src/storage/open.js';
import { parseSpace, validateSpaceDocument } from '../../src/space/load.js';
import { useTempDir } from '../helpers/temp.js';
import { baseDoc, issueAt, issuesOf, SPACES_DIR, withParams } from './helpers.js';

const tempDir = useTempDir();

/** A valid YAML file whose params section is `params` (indented lines). */
const yamlWith = (params: string, strategy = 'random\n  trials: 4') => `study: repeats
objective:
  module: ../objectives/noop.mjs
  direction: maximize
search:
  strategy: ${strategy}
params:
${params}
`;

describe('repeated choices and values', () => {
  it('refuses a choice given twice, at the repeat, with its line and column', () => {
    const text = yamlWith('  opt: { type: categorical, choices: [sgd, adam, sgd] }');
    const issues = issuesOf(text);
    expect(issues).toEqual([
      {
        path: 'params.opt.choices.2',
        message: 'duplicate choice "sgd" (the same as choices[0]); list each choice once',
        line: 9,
        column: text.split('\n')[8]!.lastIndexOf('sgd') + 1,
      },
    ]);
  });

  it('refuses a value given twice in a grid axis, for float and int params', () => {
    const issues = issuesOf(withParams(
      { lr: { type: 'float', values: [0.1, 0.01, 0.1] }, n: { type: 'int', values: [1, 2, 3, 2] } },
      { strategy: 'grid' },
    ));
    expect(issues.map((issue) => issue.path)).toEqual(['params.lr.values.2', 'params.n.values.3']);
    expect(issueAt(issues, 'params.lr.values.2').message).toBe('duplicate value 0.1 (the same as values[0]); list each value once');
    expect(issueAt(issues, 'params.n.values.3').message).toBe('duplicate value 2 (the same as values[1]); list each value once');
  });

  it('refuses repeated values under the other strategies too', () => {
    const issues = issuesOf(withParams({ lr: { type: 'float', low: 0, high: 1, values: [0.5, 0.5] } }));
    expect(issueAt(issues, 'params.lr.values.1').message).toBe('duplicate value 0.5 (the same as values[0]); list each value once');
  });

  it('reads numbers as YAML does: 1, 1.0 and 1e0 are one number, 0 and -0 too', () => {
    const issues = issuesOf(yamlWith('  n: { type: float, values: [1, 1.0, 1e0, 0, -0.0] }', 'grid'));
    expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
      ['params.n.values.1', 'duplicate value 1 (the same as values[0]); list each value once'],
      ['params.n.values.2', 'duplicate value 1 (the same as values[0]); list each value once'],
      ['params.n.values.4', 'duplicate value 0 (the same as values[3]); list each value once'],
    ]);
    expect(issueAt(issuesOf(yamlWith('  c: { type: categorical, choices: [2, 2.0] }')), 'params.c.choices.1').message).toBe(
      'duplicate choice 2 (the same as choices[0]); list each choice once',
    );
  });

  it('tells a value from its text: true and "true", null and "null", 1 and "1" are different choices', () => {
    const text = yamlWith(`  c: { type: categorical, choices: [true, 'true', null, 'null', 1, '1', a, 'A'] }`);
    const { space } = parseSpace(text, 'space.yaml', SPACES_DIR);
    expect(space.params['c']).toEqual({ type: 'categorical', choices: [true, 'true', null, 'null', 1, '1', 'a', 'A'] });
  });

  it('compares quoted and plain strings by their text', () => {
    const issues = issuesOf(yamlWith(`  c: { type: categorical, choices: [a, 'a', "a"] }`));
    expect(issues.map((issue) => issue.path)).toEqual(['params.c.choices.1', 'params.c.choices.2']);
    expect(issues[0]!.message).toBe('duplicate choice "a" (the same as choices[0]); list each choice once');
  });

  it('refuses repeats in a JSON file, and alongside the other problems of the file', () => {
    const doc = withParams({ c: { type: 'categorical', choices: ['x', 'x'] }, lr: { type: 'float', low: 1, high: 0 } });
    const issues = issuesOf(JSON.stringify(doc, null, 2), 'space.json');
    expect(issues.map((issue) => issue.path).sort()).toEqual(['params.c.choices.1', 'params.lr.low']);
    expect(issueAt(issues, 'params.c.choices.1').line).toBeGreaterThan(1);
  });

  it('leaves lists that are not scalars to the field checks, also when an alias repeats one', () => {
    const issues = issuesOf(yamlWith('  c: { type: categorical, choices: [&l [1], *l] }'));
    expect(issues.map((issue) => issue.path)).toEqual(['params.c.choices.0', 'params.c.choices.1']);
    expect(issues.every((issue) => issue.message.startsWith('expected a number, string, true/false or null'))).toBe(true);
  });

  it('still validates a stored space with repeats when asked to, so old studies open', async () => {
    const doc = { ...withParams({ c: { type: 'categorical', choices: ['x', 'y', 'x'] } }), study: 'old' };
    expect(() => validateSpaceDocument(doc, 'stored', SPACES_DIR)).toThrow(/duplicate choice "x"/);
    expect(validateSpaceDocument(doc, 'stored', SPACES_DIR, { stored: true }).params['c']).toEqual({
      type: 'categorical',
      choices: ['x', 'y', 'x'],
    });

    // A study an older hpsearch stored with a repeated choice, in a real database, still opens.
    const db = join(tempDir(), 'old.db');
    const storage = await openStorage(db);
    try {
      await storage.createStudy({ name: 'old', direction: 'maximize', metric: 'value', seed: 1, space: { ...doc, seed: 1 } });
    } finally {
      await storage.close();
    }
    const study = await loadStudy({ name: 'old', storage: db });
    try {
      expect(study.space.params['c']).toEqual({ type: 'categorical', choices: ['x', 'y', 'x'] });
    } finally {
      await study.close();
    }
  });

  it('accepts the base document, which repeats nothing', () => {
    expect(() => parseSpace(JSON.stringify(baseDoc()), 'space.json', SPACES_DIR)).not.toThrow();
  });
});
