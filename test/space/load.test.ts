import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HpsearchError, ValidationError } from '../../src/errors.js';
import { loadSpaceFile, parseSpace, validateSpaceDocument } from '../../src/space/load.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';
import { baseDoc, issuesOf, NOOP_MODULE, SPACES_DIR } from './helpers.js';

const fixture = (name: string) => path.join(SPACES_DIR, name);

describe('loadSpaceFile', () => {
  it('normalises every kind of param', async () => {
    const loaded = await loadSpaceFile(fixture('best5.yaml'));
    expect(loaded.file).toBe(fixture('best5.yaml'));
    const { space } = loaded;
    expect(space.study).toBe('best5');
    expect(space.seed).toBe(42);
    expect(space.objective).toEqual({ module: NOOP_MODULE, metric: 'val_accuracy', direction: 'maximize' });
    expect(space.search).toEqual({ strategy: 'random', trials: 100 });
    expect(space.params).toEqual({
      lr: { type: 'float', low: 1e-6, high: 1e-2, log: true },
      weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true, grid: 5 },
      units: { type: 'int', low: 32, high: 256, step: 32, log: false },
      layers: { type: 'int', low: 1, high: 8, log: true, step: 1 },
      optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
      batch_size: { type: 'fixed', value: 100 },
      activation: { type: 'fixed', value: 'relu' },
      momentum: { type: 'float', low: 0.5, high: 0.99, log: false, values: [0.5, 0.9, 0.99] },
    });
  });

  it('keeps the document as written in raw', async () => {
    const loaded = await loadSpaceFile(fixture('best5.yaml'));
    const raw = loaded.raw as Record<string, any>;
    expect(raw.description).toBe('every kind of param, random search');
    expect(raw.objective.module).toBe('../objectives/noop.mjs');
    expect(raw.params.batch_size).toBe(100);
    expect(raw.params.layers).toEqual({ type: 'int', low: 1, high: 8, log: true });
  });

  it('reads JSON files and fills the defaults', async () => {
    const { space } = await loadSpaceFile(fixture('narrowing-defaults.json'));
    expect(space.study).toBe('narrowing-defaults');
    expect(space.objective.metric).toBe('value');
    expect(space.search).toEqual({ strategy: 'narrowing', rounds: 3, trialsPerRound: 20, keepTop: 5, margin: 0.1, trials: 60 });
    expect(space.params.n).toEqual({ type: 'int', low: 1, high: 10, log: false, step: 1 });
    expect(space.params.x).toEqual({ type: 'float', low: -5, high: 5, log: false });
    expect(space.params.flag).toEqual({ type: 'fixed', value: true });
    expect(space.params.nothing).toEqual({ type: 'fixed', value: null });
  });

  it('picks a random seed when none is given', async () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const { space } = await loadSpaceFile(fixture('narrowing-defaults.json'));
      expect(Number.isSafeInteger(space.seed)).toBe(true);
      expect(space.seed).toBeGreaterThanOrEqual(0);
      expect(space.seed).toBeLessThan(2 ** 31);
      seeds.add(space.seed);
    }
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('resolves the objective module against the space file folder', async () => {
    const { space } = await loadSpaceFile(fixture('nested/relative-module.yml'));
    expect(space.objective.module).toBe(NOOP_MODULE);
    expect(space.study).toBe('relative-module');
  });

  it('accepts a relative path to the space file', async () => {
    const relative = path.relative(process.cwd(), fixture('nested/relative-module.yml'));
    const loaded = await loadSpaceFile(relative);
    expect(loaded.file).toBe(fixture('nested/relative-module.yml'));
    expect(loaded.space.objective.module).toBe(NOOP_MODULE);
  });

  it('computes the grid size as the default number of grid trials', async () => {
    const { space } = await loadSpaceFile(fixture('grid.yaml'));
    // momentum 3 × lr 3 × dropout 3 × units 4 × optimizer 2 × epochs 1
    expect(space.search).toEqual({ strategy: 'grid', trials: 216 });
    expect(space.params.momentum).toEqual({ type: 'float', low: 0.5, high: 0.99, log: false, values: [0.5, 0.9, 0.99] });
  });

  it('reports a missing file as a usage error', async () => {
    const missing = fixture('does-not-exist.yaml');
    const error = await loadSpaceFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HpsearchError);
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as HpsearchError).code).toBe('E_USAGE');
    expect((error as HpsearchError).message).toBe(`search-space file not found: ${missing}`);
  });

  it('reports problems with the path the user gave', async () => {
    const error = await loadSpaceFile('test/fixtures/spaces/broken.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).file).toBe('test/fixtures/spaces/broken.yaml');
    expect((error as ValidationError).exitCode).toBe(2);
    expect((error as ValidationError).message).toContain('test/fixtures/spaces/broken.yaml:10:49 params.lr.hgih: unknown key; did you mean "high"?');
  });
});

describe('loadSpaceFile with probeObjective', () => {
  const tempDir = useTempDir();
  const spaceOver = (module: string) => {
    const file = path.join(tempDir(), 'probed.yaml');
    writeFileSync(file, `study: probed\nobjective:\n  module: ${JSON.stringify(path.join(OBJECTIVES, module))}\n  direction: maximize\nsearch: { strategy: random, trials: 2 }\nparams: { x: 1 }\n`);
    return file;
  };

  it('refuses a module that throws when imported, at objective.module with its line', async () => {
    const file = spaceOver('throws-on-import.mjs');
    // Without the option the file is only read: the module is not loaded.
    await expect(loadSpaceFile(file)).resolves.toMatchObject({ space: { study: 'probed' } });
    const refused = await loadSpaceFile(file, { probeObjective: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues).toEqual([
      {
        path: 'objective.module',
        message: `cannot load objective module ${path.join(OBJECTIVES, 'throws-on-import.mjs')}: HPSEARCH_DATA is not set: the objective cannot find its data`,
        line: 3,
        column: 11,
      },
    ]);
    expect((refused as ValidationError).exitCode).toBe(2);
  });

  it('accepts a module that loads, and a task, which has nothing to probe', async () => {
    await expect(loadSpaceFile(spaceOver('noop.mjs'), { probeObjective: true })).resolves.toMatchObject({ space: { study: 'probed' } });
    const task = await loadSpaceFile(fixture('task-csv.yaml'), { probeObjective: true });
    expect(task.space.objective.task).toBeDefined();
  });
});

describe('parseSpace', () => {
  it('takes the study name from the file name without extension', () => {
    const { study: _unused, ...doc } = baseDoc();
    const { space } = parseSpace(JSON.stringify(doc), 'runs/my-study.v2.json', SPACES_DIR);
    expect(space.study).toBe('my-study.v2');
  });

  it('lets study override the file name', () => {
    const { space } = parseSpace(JSON.stringify(baseDoc()), 'other.json', SPACES_DIR);
    expect(space.study).toBe('base');
  });

  it('accepts a task instead of a module, normalised', () => {
    const doc = baseDoc();
    doc.objective = { task: { dataset: 'mnist', train: { epochs: 3 } }, metric: 'val_loss', direction: 'minimize' };
    doc.params = { learning_rate: doc.params.lr };
    const { space } = parseSpace(JSON.stringify(doc), 'space.json', SPACES_DIR);
    expect(space.objective.metric).toBe('val_loss');
    expect(space.objective.module).toBeUndefined();
    expect(space.objective.task?.dataset.source).toEqual({ type: 'builtin', name: 'mnist' });
    expect(space.objective.task?.train.epochs).toBe(3);
  });

  it('reads save_models: { top: N } and { top: all }, null when left out', () => {
    expect(parseSpace(JSON.stringify(baseDoc()), 'space.json', SPACES_DIR).space.saveModels).toBeNull();
    expect(parseSpace(JSON.stringify({ ...baseDoc(), save_models: { top: 3 } }), 'space.json', SPACES_DIR).space.saveModels).toEqual({ top: 3 });
    expect(parseSpace(JSON.stringify({ ...baseDoc(), save_models: { top: 'all' } }), 'space.json', SPACES_DIR).space.saveModels).toEqual({ top: 'all' });
  });

  it('refuses a save_models top that is not a positive integer or all, and unknown keys in it', () => {
    for (const top of [0, -1, 1.5, 'best', null]) {
      const issues = issuesOf({ ...baseDoc(), save_models: { top } });
      expect(issues.map((issue) => issue.path), JSON.stringify(top)).toEqual(['save_models.top']);
    }
    const unknown = issuesOf({ ...baseDoc(), save_models: { top: 2, keep: 1 } });
    expect(unknown.map((issue) => issue.path)).toEqual(['save_models']);
    expect(unknown[0]!.message).toContain('keep');
    expect(issuesOf({ ...baseDoc(), save_models: 3 }).map((issue) => issue.path)).toEqual(['save_models']);
  });

  it('allows a $schema key', () => {
    const doc = { $schema: '../search-space.schema.json', ...baseDoc() };
    expect(parseSpace(JSON.stringify(doc), 'space.json', SPACES_DIR).space.study).toBe('base');
  });
});

describe('validateSpaceDocument', () => {
  it('validates a stored document without line numbers', () => {
    const stored = JSON.parse(JSON.stringify((parseSpace(readFileSync(fixture('best5.yaml'), 'utf8'), 'best5.yaml', SPACES_DIR)).raw));
    const space = validateSpaceDocument(stored, 'best5.yaml', SPACES_DIR);
    expect(space.params.units).toEqual({ type: 'int', low: 32, high: 256, step: 32, log: false });

    stored.params.units.low = 512;
    const error = (() => {
      try {
        validateSpaceDocument(stored, 'best5.yaml', SPACES_DIR);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(error.issues).toEqual([{ path: 'params.units.low', message: 'low (512) must be less than high (256)' }]);
  });
});

describe('validateSpaceDocument options', () => {
  const withoutModule = () => {
    const doc = baseDoc();
    delete doc.objective.module;
    return doc;
  };

  it('can accept an objective without module or task (a function objective given in code)', () => {
    expect(() => validateSpaceDocument(withoutModule(), 'doc', SPACES_DIR)).toThrow(/add module: \.\/objective\.mjs/);
    const space = validateSpaceDocument(withoutModule(), 'doc', SPACES_DIR, { requireObjective: false });
    expect(space.objective).toEqual({ metric: 'value', direction: 'maximize' });
  });

  it('can skip the module existence check, still resolving the path', () => {
    const doc = baseDoc();
    doc.objective.module = './gone.mjs';
    expect(() => validateSpaceDocument(doc, 'doc', SPACES_DIR)).toThrow(/module file not found/);
    const space = validateSpaceDocument(doc, 'doc', SPACES_DIR, { checkFiles: false });
    expect(space.objective.module).toBe(path.join(SPACES_DIR, 'gone.mjs'));
  });
});
