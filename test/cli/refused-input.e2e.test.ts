/**
 * Input that `hpsearch run` (and `compare`) must refuse before anything is written: exit code 2,
 * a message naming the problem, and no database file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

interface Refusal {
  stderr: string;
  space: string;
}

/** Runs `args` (the space file, then `--db` in a fresh folder) and checks the refusal: exit 2, no database, no folder for it. */
async function expectRefused(command: 'run' | 'compare', name: string, text: string): Promise<Refusal> {
  const dir = tempDir();
  const space = join(dir, name);
  writeFileSync(space, text);
  const db = join(dir, 'runs', 'refused.db');
  const result = await runCli([command, space, '--db', db]);
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code, result.stderr).toBe(2);
  expect(existsSync(db)).toBe(false);
  expect(existsSync(join(dir, 'runs'))).toBe(false);
  expect(result.stdout).toBe('');
  // One message: the problem, not a run that started.
  expect(result.stderr).not.toMatch(/starting study|comparing/);
  return { stderr: result.stderr, space };
}

const spaceWith = (objective: string, params = ['lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }']) =>
  moduleSpaceYaml({ study: 'refused', seed: 1, trials: 4, objective, params });

describe('objective modules that cannot run are refused before the study is created', () => {
  it("refuses a module that throws when imported, with the module's own message and the line that names it", async () => {
    const { stderr, space } = await expectRefused('run', 'space.yaml', spaceWith('throws-on-import.mjs'));
    const module = join(OBJECTIVES, 'throws-on-import.mjs');
    expect(stderr).toBe(
      `hpsearch: ${space}: 1 problem in the search space\n` +
        `  - ${space}:4:11 objective.module: cannot load objective module ${module}: HPSEARCH_DATA is not set: the objective cannot find its data\n`,
    );
  });

  it('refuses a module whose default export is not a function, or that has none', async () => {
    for (const fixture of ['default-not-function.mjs', 'no-default.mjs']) {
      const { stderr } = await expectRefused('run', 'space.yaml', spaceWith(fixture));
      expect(stderr).toContain(
        `objective.module: objective module ${join(OBJECTIVES, fixture)} must export a default function: export default async (params, ctx) => number`,
      );
    }
  });

  it('refuses a module that does not parse, or whose import never finishes, and ends', async () => {
    const syntax = await expectRefused('run', 'space.yaml', spaceWith('syntax-error.mjs'));
    expect(syntax.stderr).toMatch(/objective\.module: cannot load objective module .*syntax-error\.mjs: Unexpected token/);
    const stalls = await expectRefused('run', 'space.yaml', spaceWith('never-settles.mjs'));
    expect(stalls.stderr).toMatch(/never-settles\.mjs ended its thread before it finished loading \(exit code \d+\)/);
  });

  it('refuses it in compare too, before any run of the comparison', async () => {
    const { stderr } = await expectRefused('compare', 'space.yaml', spaceWith('throws-on-import.mjs'));
    expect(stderr).toContain('HPSEARCH_DATA is not set: the objective cannot find its data');
  });

  it('runs a module that loads, and the probe leaves no thread behind that would keep the process alive', async () => {
    const dir = tempDir();
    const space = join(dir, 'space.yaml');
    // keeps-running.mjs starts a timer at its top level: a probe thread left running would hang the CLI.
    writeFileSync(space, spaceWith('keeps-running.mjs', ['x: { type: int, low: 1, high: 3 }']).replace('metric: val_accuracy', 'metric: value'));
    const db = join(dir, 'ok.db');
    const result = await runCli(['run', space, '--db', db, '--workers', '1']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/study holds 4 complete, 0 pruned, 0 failed/);
    expect(existsSync(db)).toBe(true);
  });

  it('runs a module that loads a native addon at its top level: the probe leaves it to the trials', async () => {
    const dir = tempDir();
    const space = join(dir, 'space.yaml');
    writeFileSync(space, spaceWith('native-addon.mjs', ['x: { type: int, low: 1, high: 3 }']).replace('metric: val_accuracy', 'metric: value'));
    const result = await runCli(['run', space, '--db', join(dir, 'ok.db'), '--workers', '2', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { counts: { complete: number }; best: { value: number }[] };
    expect(summary.counts.complete).toBe(4);
    expect(summary.best[0]!.value).toBe(42);
  });
});

describe('space files with repeated values or JSON comments are refused', () => {
  it('refuses a categorical choice given twice, with its path and line', async () => {
    const { stderr, space } = await expectRefused(
      'run',
      'space.yaml',
      spaceWith('curve.mjs', ['lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }', 'opt: { type: categorical, choices: [sgd, adam, sgd] }']),
    );
    expect(stderr).toBe(
      `hpsearch: ${space}: 1 problem in the search space\n` +
        `  - ${space}:12:50 params.opt.choices.2: duplicate choice "sgd" (the same as choices[0]); list each choice once\n`,
    );
  });

  it('refuses a grid value given twice, also written as another form of the same number', async () => {
    const text = spaceWith('curve.mjs', ['lr: { type: float, values: [0.001, 0.01, 1.0e-3] }']).replace('strategy: random\n  trials: 4', 'strategy: grid');
    const { stderr } = await expectRefused('run', 'grid.yaml', text);
    expect(stderr).toMatch(/grid\.yaml:10:\d+ params\.lr\.values\.2: duplicate value 0\.001 \(the same as values\[0\]\); list each value once\n$/);
  });

  it('refuses a JSON file with a comment in one message naming its line, not with an unknown key', async () => {
    const json = [
      '{',
      '  // a study over the learning rate',
      '  "study": "commented",',
      `  "objective": { "module": ${JSON.stringify(join(OBJECTIVES, 'curve.mjs'))}, "metric": "val_accuracy", "direction": "maximize" },`,
      '  "search": { "strategy": "random", "trials": 2 },',
      '  "params": { "lr": { "type": "float", "low": 0.0001, "high": 0.1, "log": true } }',
      '}',
      '',
    ].join('\n');
    const { stderr, space } = await expectRefused('run', 'space.json', json);
    expect(stderr).toBe(
      `hpsearch: ${space}: 1 problem in the search space\n` +
        `  - ${space}:2:3 (root): JSON does not allow comments (line 2); remove them or write the file as YAML\n`,
    );
    expect(stderr).not.toMatch(/unknown key/);
  });
});
