import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseSpace } from '../../src/space/load.js';
import { baseDoc, issueAt, issuesOf, NOOP_MODULE, SPACES_DIR, withParams } from './helpers.js';

const VALID_YAML = `study: demo
objective:
  module: ../objectives/noop.mjs
  direction: maximize
search:
  strategy: random
  trials: 10
params:
  lr: { type: float, low: 1.0e-4, high: 1.0e-2, log: true }
`;

describe('syntax and shape', () => {
  it('reports malformed YAML with line and column', () => {
    const issues = issuesOf(VALID_YAML.replace('  trials: 10', '  trials: [10'));
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]!.path).toBe('');
    expect(issues[0]!.line).toBe(8);
    expect(issues[0]!.column).toBe(1);
    expect(issues[0]!.message).toMatch(/flow sequence/i);
    expect(issues[0]!.message).not.toContain('\n');
  });

  it('reports malformed JSON with its line', () => {
    const text = '{\n  "study": "x",\n  "seed": 1,,\n  "params": {}\n}\n';
    const issues = issuesOf(text, 'space.json');
    expect(issues[0]!.line).toBe(3);
  });

  it('reports duplicate keys', () => {
    const issues = issuesOf(VALID_YAML.replace('  trials: 10', '  trials: 10\n  trials: 20'));
    expect(issues[0]!.message).toMatch(/unique/);
    expect(issues[0]!.line).toBe(8);
  });

  it('requires the document to be a mapping', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([
      { path: '', message: 'the top level must be a mapping with objective, search and params, got a list', line: 1, column: 1 },
    ]);
    expect(issuesOf('just text\n')[0]!.message).toBe('the top level must be a mapping with objective, search and params, got string "just text"');
    expect(issuesOf('')[0]!.message).toBe('the file is empty; it needs objective, search and params');
  });

  it('reports missing top-level sections', () => {
    const issues = issuesOf({ study: 'x' });
    // params may be left out: an objective can ask for its params while it runs (not under grid search).
    expect(issues.map((i) => i.path)).toEqual(['objective', 'search']);
  });
});

describe('unknown keys', () => {
  it('suggests the closest key at the root, with the key position', () => {
    const issue = issueAt(issuesOf(`sed: 3\n${VALID_YAML}`), 'sed');
    expect(issue).toEqual({ path: 'sed', message: 'unknown key; did you mean "seed"?', line: 1, column: 1 });
  });

  it('suggests keys by section', () => {
    const doc = baseDoc();
    doc.objective.metirc = 'acc';
    doc.search.trails = 5;
    const issues = issuesOf(doc);
    expect(issueAt(issues, 'objective.metirc').message).toBe('unknown key; did you mean "metric"?');
    expect(issueAt(issues, 'search.trails').message).toBe('unknown key; did you mean "trials"?');
  });

  it('suggests param keys by the param type', () => {
    const text = VALID_YAML.replace('log: true }', 'log: true, hgih: 3 }');
    const issue = issueAt(issuesOf(text), 'params.lr.hgih');
    expect(issue.message).toBe('unknown key; did you mean "high"?');
    expect(issue.line).toBe(9);
    expect(issue.column).toBe(text.split('\n')[8]!.indexOf('hgih') + 1);
  });

  it('says which param types a misplaced key belongs to', () => {
    const issues = issuesOf(withParams({ opt: { type: 'categorical', choices: ['a'], low: 1 } }));
    expect(issueAt(issues, 'params.opt.low').message).toBe(
      'unknown key; "low" is only used by float and int params; known keys here: type, choices, when',
    );
  });

  it('says which strategy a misplaced search key belongs to', () => {
    const issues = issuesOf({ ...baseDoc(), search: { strategy: 'random', trials: 10, rounds: 3 } });
    expect(issueAt(issues, 'search.rounds').message).toBe(
      'unknown key; "rounds" is only used by strategy: narrowing; known keys here: strategy, trials, enqueue',
    );
  });

  it('lists the known keys when nothing is close', () => {
    const issues = issuesOf({ ...baseDoc(), learning: 1 });
    expect(issueAt(issues, 'learning').message).toBe(
      'unknown key; known keys here: $schema, study, description, seed, objective, search, params, early_stopping, divergence, pruner, save_models, pack',
    );
  });
});

describe('enumerations', () => {
  it('rejects an unknown param type with a suggestion', () => {
    const issues = issuesOf(withParams({ lr: { type: 'flaot', low: 0, high: 1 } }));
    expect(issueAt(issues, 'params.lr.type').message).toBe(
      'unknown param type "flaot"; did you mean "float"? (expected one of float, int, categorical, fixed)',
    );
  });

  it('requires a param type', () => {
    const issues = issuesOf(withParams({ lr: { low: 0, high: 1 } }));
    expect(issueAt(issues, 'params.lr.type').message).toBe('required key is missing (one of float, int, categorical, fixed)');
  });

  it('rejects an unknown strategy', () => {
    const issues = issuesOf({ ...baseDoc(), search: { strategy: 'randon', trials: 10 } });
    expect(issueAt(issues, 'search.strategy').message).toBe(
      'unknown strategy "randon"; did you mean "random"? (expected one of grid, random, narrowing, tpe)',
    );
  });

  it('rejects an unknown direction', () => {
    const doc = baseDoc();
    doc.objective.direction = 'minimise';
    expect(issueAt(issuesOf(doc), 'objective.direction').message).toBe(
      'expected one of "maximize", "minimize", got string "minimise"; did you mean "minimize"?',
    );
  });
});

describe('numeric params', () => {
  const param = (spec: Record<string, unknown>) => issuesOf(withParams({ x: spec }));

  it('requires low < high, pointing at low', () => {
    const text = VALID_YAML.replace('low: 1.0e-4, high: 1.0e-2', 'low: 1.0e-2, high: 1.0e-4');
    const issue = issueAt(issuesOf(text), 'params.lr.low');
    expect(issue.message).toBe('low (0.01) must be less than high (0.0001)');
    expect(issue.line).toBe(9);
    expect(param({ type: 'int', low: 3, high: 3 })[0]!.message).toBe('low (3) must be less than high (3)');
  });

  it('requires low > 0 with log', () => {
    expect(issueAt(param({ type: 'float', low: 0, high: 1, log: true }), 'params.x.low').message).toBe(
      'log: true needs low > 0, got 0; use a positive low or log: false',
    );
  });

  it('rejects step with log', () => {
    expect(issueAt(param({ type: 'float', low: 1, high: 10, log: true, step: 1 }), 'params.x.step').message).toBe(
      'step cannot be combined with log: true; remove one of them',
    );
  });

  it('rejects a non-positive step', () => {
    expect(issueAt(param({ type: 'float', low: 0, high: 1, step: 0 }), 'params.x.step').message).toBe('must be > 0, got 0');
    expect(issueAt(param({ type: 'int', low: 0, high: 10, step: -2 }), 'params.x.step').message).toBe('must be > 0, got -2');
  });

  it('requires integers for int params', () => {
    const issues = param({ type: 'int', low: 0.5, high: 10, step: 1.5, values: [1, 2.5] });
    expect(issueAt(issues, 'params.x.low').message).toBe('expected an integer, got number 0.5');
    expect(issueAt(issues, 'params.x.step').message).toBe('expected an integer, got number 1.5');
    expect(issueAt(issues, 'params.x.values.1').message).toBe('expected an integer, got number 2.5');
  });

  it('rejects grid < 1 and empty values', () => {
    expect(issueAt(param({ type: 'float', low: 0, high: 1, grid: 0 }), 'params.x.grid').message).toBe('must be >= 1, got 0');
    expect(issueAt(param({ type: 'float', low: 0, high: 1, values: [] }), 'params.x.values').message).toBe('must not be empty');
  });

  it('names the wrong type and the value given', () => {
    const issues = param({ type: 'float', low: '1e-3x', high: '1', log: 'yes' });
    expect(issueAt(issues, 'params.x.low').message).toBe('expected a number, got string "1e-3x"');
    expect(issueAt(issues, 'params.x.high').message).toBe('expected a number, got string "1" (remove the quotes)');
    expect(issueAt(issues, 'params.x.log').message).toBe('expected true or false, got string "yes"');
  });

  it('requires low and high outside grid search, even with values', () => {
    const issues = param({ type: 'float', values: [0.1, 0.2] });
    const note = ' (values: [...] replaces low/high only with strategy: grid)';
    expect(issueAt(issues, 'params.x.low').message).toBe(`required key is missing${note}`);
    expect(issueAt(issues, 'params.x.high').message).toBe(`required key is missing${note}`);
    expect(issueAt(param({ type: 'int', low: 1 }), 'params.x.high').message).toBe('required key is missing');
  });
});

describe('other params', () => {
  it('rejects empty choices', () => {
    const issues = issuesOf(withParams({ opt: { type: 'categorical', choices: [] } }));
    expect(issueAt(issues, 'params.opt.choices').message).toBe('must not be empty');
  });

  it('requires scalar fixed values', () => {
    const issues = issuesOf(withParams({ a: { type: 'fixed', value: [1] }, b: { type: 'fixed' }, c: [1, 2] }));
    expect(issueAt(issues, 'params.a.value').message).toBe('expected a number, string, true/false or null, got a list');
    expect(issueAt(issues, 'params.b.value').message).toBe('required key is missing');
    expect(issueAt(issues, 'params.c').message).toMatch(/^expected a param spec .* got a list; for options use \{ type: categorical/);
  });
});

describe('search settings', () => {
  const search = (settings: Record<string, unknown>) => issuesOf({ ...baseDoc(), search: settings });

  it('requires positive integer trials', () => {
    expect(issueAt(search({ strategy: 'random', trials: 0 }), 'search.trials').message).toBe('must be >= 1, got 0');
    expect(issueAt(search({ strategy: 'random', trials: 2.5 }), 'search.trials').message).toBe('expected an integer, got number 2.5');
    expect(issueAt(search({ strategy: 'random' }), 'search.trials').message).toBe('required key is missing');
  });

  it('checks tpe settings and fills in Optuna\'s defaults', () => {
    const issues = search({ strategy: 'tpe', trials: 50, startup_trials: -1, ei_candidates: 0, prior_weight: 0, multivariate: 'yes' });
    expect(issueAt(issues, 'search.startup_trials').message).toBe('must be >= 0, got -1');
    expect(issueAt(issues, 'search.ei_candidates').message).toBe('must be >= 1, got 0');
    expect(issueAt(issues, 'search.prior_weight').message).toMatch(/must be > 0/);
    expect(issueAt(issues, 'search.multivariate').message).toBe('expected true or false, got string "yes"');
    expect(issueAt(search({ strategy: 'random', trials: 5, constant_liar: false }), 'search.constant_liar').message).toBe(
      'unknown key; "constant_liar" is only used by strategy: tpe; known keys here: strategy, trials, enqueue',
    );
    const parsed = (search: object) => parseSpace(stringify({ ...baseDoc(), search }), 'space.yaml', SPACES_DIR).space.search;
    const settings = parsed({ strategy: 'tpe', trials: 50 });
    expect(settings).toEqual({
      strategy: 'tpe', trials: 50, startupTrials: 10, eiCandidates: 24, multivariate: false, constantLiar: true,
      priorWeight: 1, considerMagicClip: true, considerEndpoints: false,
    });
    expect(parsed({ strategy: 'tpe', trials: 50, startup_trials: 3, multivariate: true, constant_liar: false })).toMatchObject({ startupTrials: 3, multivariate: true, constantLiar: false });
  });

  it('checks narrowing settings', () => {
    const issues = search({ strategy: 'narrowing', rounds: 3, trials_per_round: 4, keep_top: 6, trials: 10 });
    expect(issueAt(issues, 'search.keep_top').message).toBe('keep_top (6) must be <= trials_per_round (4)');
    expect(issueAt(issues, 'search.trials').message).toBe(
      'trials (10) must equal rounds × trials_per_round = 3 × 4 = 12; fix it or leave trials out',
    );
    const missing = search({ strategy: 'narrowing', trials_per_round: 4, margin: -1 });
    expect(issueAt(missing, 'search.rounds').message).toBe('required key is missing');
    expect(issueAt(missing, 'search.margin').message).toBe('must be >= 0, got -1');
  });

  it('shrinks the keep_top default to trials_per_round', () => {
    const doc = { ...baseDoc(), search: { strategy: 'narrowing', rounds: 2, trials_per_round: 3, trials: 6 } };
    const { space } = parseSpace(JSON.stringify(doc), 'space.json', SPACES_DIR);
    expect(space.search).toEqual({ strategy: 'narrowing', rounds: 2, trialsPerRound: 3, keepTop: 3, margin: 0.1, trials: 6 });
  });
});

describe('grid search', () => {
  const grid = { strategy: 'grid' };

  it('needs values, grid or step for floats', () => {
    const issues = issuesOf(withParams({ lr: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 3 } }, grid));
    expect(issues).toEqual([{ path: 'params.lr', message: 'grid search needs values: [...], grid: N or step', line: 9, column: 3 }]);
  });

  it('limits the grid to a million points, stating the size', () => {
    const params = { a: { type: 'int', low: 1, high: 1000 }, b: { type: 'int', low: 1, high: 1001 }, c: 'fixed' };
    const issue = issueAt(issuesOf(withParams(params, grid)), 'params');
    expect(issue.message).toBe(
      'the grid has 1,001,000 points (a: 1,000 × b: 1,001), more than the limit of 1,000,000; use fewer points per param or strategy: random',
    );
    expect(() => parseSpace(JSON.stringify(withParams({ a: params.a, b: { ...params.b, high: 1000 } }, grid)), 's.json', SPACES_DIR)).not.toThrow();
  });

  it('rejects more trials than grid points', () => {
    const params = { opt: { type: 'categorical', choices: ['a', 'b'] }, n: { type: 'int', low: 1, high: 3 } };
    expect(issueAt(issuesOf(withParams(params, { strategy: 'grid', trials: 7 })), 'search.trials').message).toBe(
      'trials (7) is more than the grid size (6); lower it or leave it out to run the whole grid',
    );
    const { space } = parseSpace(JSON.stringify(withParams(params, { strategy: 'grid', trials: 6 })), 's.json', SPACES_DIR);
    expect(space.search).toEqual({ strategy: 'grid', trials: 6 });
  });
});

describe('objective', () => {
  it('names the resolved path of a missing module', () => {
    const doc = baseDoc();
    doc.objective.module = './nope/objective.mjs';
    const issue = issueAt(issuesOf(doc), 'objective.module');
    expect(issue.message).toBe(
      `module file not found: ${SPACES_DIR}nope/objective.mjs (module paths are relative to the search-space file's folder)`,
    );
  });

  it('requires exactly one of module and task', () => {
    const both = baseDoc();
    both.objective.task = { dataset: 'mnist' };
    expect(issueAt(issuesOf(both), 'objective').message).toBe('give either module or task, not both');
    const neither = baseDoc();
    delete neither.objective.module;
    expect(issueAt(issuesOf(neither), 'objective').message).toMatch(/^add module: \.\/objective\.mjs .* or task: /);
  });

  it('points a missing key at its parent', () => {
    const issue = issueAt(issuesOf(VALID_YAML.replace('  direction: maximize\n', '')), 'objective.direction');
    expect(issue).toEqual({ path: 'objective.direction', message: 'required key is missing (one of "maximize", "minimize")', line: 2, column: 1 });
  });

  it('resolves a module next to the file', () => {
    expect(parseSpace(VALID_YAML, 'demo.yaml', SPACES_DIR).space.objective.module).toBe(NOOP_MODULE);
  });
});

describe('study and seed', () => {
  it('checks the study name', () => {
    expect(issueAt(issuesOf({ ...baseDoc(), study: '-bad name' }), 'study').message).toMatch(/^must start with a letter or digit/);
    const { study: _unused, ...doc } = baseDoc();
    expect(issueAt(issuesOf(doc, 'my space.yaml'), 'study').message).toBe(
      'no study name given and the file name "my space" is not a valid one; add study: <name> (letters, digits, ".", "_", "-")',
    );
  });

  it('requires a non-negative integer seed', () => {
    expect(issueAt(issuesOf({ ...baseDoc(), seed: -1 }), 'seed').message).toBe('must be >= 0, got -1');
    expect(issueAt(issuesOf({ ...baseDoc(), seed: 1.5 }), 'seed').message).toBe('expected an integer, got number 1.5');
  });
});

describe('several problems at once', () => {
  it('reports every problem of the file in one error', () => {
    const text = `study: demo
sed: 1
objective:
  module: ./missing.mjs
  direction: up
search:
  strategy: narrowing
  rounds: 0
  trials_per_round: 5
params:
  lr: { type: float, low: 1, high: 0.1, hgih: 3 }
  units: { type: itn, low: 1, high: 2 }
`;
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['sed', 2],
      ['objective.direction', 5],
      ['objective.module', 4],
      ['search.rounds', 8],
      ['params.lr.hgih', 11],
      ['params.lr.low', 11],
      ['params.units.type', 12],
    ]);
  });
});

describe('grid search with other search problems', () => {
  it('still checks the grid when a search key is wrong', () => {
    const issues = issuesOf(withParams({ lr: { type: 'float', low: 0, high: 1 } }, { strategy: 'grid', trials: 0 }));
    expect(issues.map((i) => i.path)).toEqual(['search.trials', 'params.lr']);
  });
});

// Regressions found by fuzzing (fuzz.test.ts): each crashed, hung or was accepted wrongly.
describe('hostile input', () => {
  const HEAD = 'objective: { module: ../objectives/noop.mjs, direction: maximize }\nsearch: { strategy: random, trials: 3 }\n';

  it('quotes a value that is not a string by its kind, also one that contains itself', () => {
    const text = 'objective: { module: ../objectives/noop.mjs, direction: maximize }\nsearch: &s { strategy: *s, trials: 3 }\nparams: {}\n';
    expect(issueAt(issuesOf(text), 'search.strategy').message).toBe('unknown strategy a mapping (expected one of grid, random, narrowing, tpe)');
    expect(issueAt(issuesOf(withParams({ x: { type: [1, 2] } })), 'params.x.type').message).toBe(
      'unknown param type a list (expected one of float, int, categorical, fixed)',
    );
  });

  it('treats the names of Object.prototype as unknown keys', () => {
    const issues = issuesOf(`${HEAD}params: { x: { type: float, low: 0, high: 1, constructor: 1 } }\ntoString: 2\n__proto__: 3\n`);
    expect(issueAt(issues, 'params.x.constructor').message).toBe('unknown key; known keys here: type, low, high, log, grid, step, values, when');
    expect(issueAt(issues, 'toString').message).toMatch(/^unknown key; known keys here: \$schema, /);
    expect(issueAt(issues, '__proto__').message).toMatch(/^unknown key; known keys here: \$schema, /);
  });

  it('refuses __proto__ as a param name, which would vanish', () => {
    expect(issueAt(issuesOf(`${HEAD}params: { __proto__: { type: float, low: 0, high: 1 }, y: 1 }\n`), 'params.__proto__')).toEqual({
      path: 'params.__proto__',
      message: '"__proto__" cannot be a param name; rename the param',
      line: 3,
      column: 11,
    });
  });

  it('refuses keys that are lists or mappings', () => {
    expect(issueAt(issuesOf(`${HEAD}params: { ? [a, b] : 1 }\n`), 'params')).toEqual({
      path: 'params',
      message: 'a key must be a name, not a list or a mapping; write it as a plain word or a quoted string',
      line: 3,
      column: 13,
    });
  });

  it('reports a duplicate key with its path, however many keys the mapping has', () => {
    const issues = issuesOf(`${HEAD}params:\n${'  x: 1\n'.repeat(3)}`);
    expect(issues).toEqual([
      { path: 'params.x', message: 'duplicate key: keys must be unique within a mapping; remove or rename one of them', line: 5, column: 3 },
      { path: 'params.x', message: 'duplicate key: keys must be unique within a mapping; remove or rename one of them', line: 6, column: 3 },
    ]);
  });

  it('reads YAML 1.1 tags as plain values: no Map, Set, Date or bytes passing for a mapping', () => {
    expect(issueAt(issuesOf(`${HEAD}params: !!omap [ x: { type: float, low: 0, high: 1 } ]\n`), 'params').message).toBe(
      'expected a mapping of param name to spec, got a list',
    );
    const text = `%YAML 1.1\n---\n${HEAD}params: { day: !!timestamp 2001-12-14, bytes: !!binary aGk=, set: !!set { a } }\n`;
    const issues = issuesOf(text);
    expect(issueAt(issues, 'params.set.type').message).toMatch(/^required key is missing/);
    expect(issues.map((issue) => issue.path)).toEqual(['params.set.type']);
    const { space } = parseSpace(`${HEAD}params: { day: !!timestamp 2001-12-14 }\n`, 'space.yaml', SPACES_DIR);
    expect(space.params.day).toEqual({ type: 'fixed', value: '2001-12-14' });
  });

  it('says a document nested too deeply is too deep, rather than "Maximum call stack size exceeded"', () => {
    const issues = issuesOf(`${HEAD}params: { x: ${'['.repeat(10_000)}${']'.repeat(10_000)} }\n`);
    expect(issues[0]!.message).toBe('the document is nested too deeply to read; a search space needs only a few levels of nesting');
  });

  it('refuses module paths no file can have', () => {
    for (const module of ['a\0b.mjs', '../objectives/noop.mjs/x.mjs', `${'m'.repeat(5_000)}.mjs`]) {
      const doc = baseDoc();
      doc.objective.module = module;
      expect(issueAt(issuesOf(doc), 'objective.module').message).toMatch(/^module file not found: /);
    }
  });

  it('takes the range of a long values list', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i);
    const { space } = parseSpace(JSON.stringify(withParams({ x: { type: 'int', values } }, { strategy: 'grid', trials: 1 })), 's.json', SPACES_DIR);
    expect(space.params.x).toMatchObject({ type: 'int', low: 0, high: 199_999 });
  });

  it('refuses narrowing settings whose trials cannot be counted exactly', () => {
    const issues = issuesOf({ ...baseDoc(), search: { strategy: 'narrowing', rounds: 2 ** 53 - 1, trials_per_round: 25 } });
    expect(issueAt(issues, 'search.rounds').message).toBe(
      'rounds × trials_per_round = 9007199254740991 × 25 is more trials than can be counted exactly (9007199254740991); use fewer rounds or trials per round',
    );
  });

  it('counts a grid axis as at most its N points once the grid is over the limit, without building it', () => {
    const axis = { type: 'float', low: 1, high: 2, grid: 1_000_000 };
    const issue = issueAt(issuesOf(withParams({ a: axis, b: { ...axis, grid: 3 }, c: axis }, { strategy: 'grid' })), 'params');
    expect(issue.message).toBe(
      'the grid has more than 3,000,000 points (a: 1,000,000 × b: 3 × c: up to 1,000,000), more than the limit of 1,000,000; use fewer points per param or strategy: random',
    );
  });
});
