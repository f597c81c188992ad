/**
 * leaderboard and trial on a real study with a conditional param, in child processes: a trial
 * that lacks momentum (the sgd ones) shows "-" in the table, an empty CSV field, and no key at
 * all in the JSON, end to end from storage to the output.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/index.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { runCli } from '../helpers/cli.js';
import { OBJECTIVES } from '../helpers/temp.js';

describe('leaderboard and trial with a conditional param, in child processes', () => {
  let dir: string;
  let db: string;
  let trials: TrialRecord[];
  const uses = (t: { params: Record<string, unknown> }) => Object.hasOwn(t.params, 'momentum');

  beforeAll(async () => {
    // One database for both tests (useTempDir would remove it after the first).
    dir = mkdtempSync(join(tmpdir(), 'hpsearch-conditional-'));
    db = join(dir, 'conditional.db');
    const study = await createStudy({
      name: 'conditional',
      storage: db,
      direction: 'maximize',
      seed: 3,
      search: { strategy: 'random', trials: 12 },
      params: {
        lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
        optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: ['momentum'] } },
      },
    });
    try {
      await study.optimize(({ lr, momentum }) => (lr as number) + ((momentum as number | undefined) ?? 0), { workers: 1 });
      trials = await study.trials();
    } finally {
      await study.close();
    }
    expect(trials.some(uses)).toBe(true);
    expect(trials.every(uses)).toBe(false);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaderboard --format json leaves the key out; csv leaves the field empty; the table shows "-"', async () => {
    const json = await runCli(['leaderboard', 'conditional', '--db', db, '--top', '12', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(/"momentum": null/);
    const rows = JSON.parse(json.stdout) as { number: number; params: Record<string, unknown> }[];
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(uses(row)).toBe(row.params['optimizer'] === 'momentum');

    const csv = (await runCli(['leaderboard', 'conditional', '--db', db, '--top', '12', '--format', 'csv'])).stdout.split('\r\n');
    // The space's order: lr, optimizer, momentum.
    expect(csv[0]).toBe('rank,number,state,value,lr,optimizer,momentum,steps,stopped,duration_ms');
    for (const [i, row] of rows.entries()) expect(csv[i + 1]!.split(',')[6] === '').toBe(!uses(row));

    const table = (await runCli(['leaderboard', 'conditional', '--db', db, '--top', '12'])).stdout.split('\n');
    expect(table[0]).toMatch(/\s+lr\s+optimizer\s+momentum\s+steps/);
    const momentumEnd = table[0]!.indexOf('momentum') + 'momentum'.length;
    for (const [i, row] of rows.entries()) {
      const cell = table[i + 2]!.slice(0, momentumEnd).trim().split(/\s+/).at(-1);
      expect(cell === '-').toBe(!uses(row));
    }
  });

  it('trial lists only the params the trial has, with the condition noted, and --format json has no key for the rest', async () => {
    const sgd = trials.find((t) => !uses(t))!;
    const momentum = trials.find(uses)!;
    const sgdTable = await runCli(['trial', 'conditional', String(sgd.number), '--db', db]);
    expect(sgdTable.code).toBe(0);
    expect(sgdTable.stdout).toMatch(/^params\n {2}lr {9}\S+\n {2}optimizer {2}sgd\ninactive: momentum \(when optimizer = momentum\)$/m);
    expect(sgdTable.stdout).not.toMatch(/momentum +(null|NaN|-)/);
    const withMomentum = await runCli(['trial', 'conditional', String(momentum.number), '--db', db]);
    expect(withMomentum.stdout).toMatch(/^ {2}momentum {3}\S+ +when optimizer = momentum$/m);
    expect(withMomentum.stdout).not.toContain('inactive:');

    const json = JSON.parse((await runCli(['trial', 'conditional', String(sgd.number), '--db', db, '--format', 'json'])).stdout) as { params: Record<string, unknown> };
    expect(Object.keys(json.params)).toEqual(['lr', 'optimizer']);
  });
});

describe('hpsearch run of a space whose when: is wrong', () => {
  it('exits 2 before writing anything, every problem at its line and path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hpsearch-conditional-bad-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(
        file,
        [
          `objective: { module: ${JSON.stringify(join(OBJECTIVES, 'noop.mjs'))}, direction: maximize }`,
          'search: { strategy: random, trials: 5 }',
          'params:',
          '  optimizer: { type: categorical, choices: [sgd, momentum, adam] }',
          '  momentum: { type: float, low: 0.5, high: 0.99, when: { optimzer: [momentum] } }',
          '  beta1: { type: float, low: 0.8, high: 0.99, when: { optimizer: [adamw] } }',
          '  rho: { type: float, low: 0.8, high: 0.99, when: { optimizer: { min: 2 } } }',
          '  a: { type: int, low: 1, high: 3, when: { b: [1] } }',
          '  b: { type: int, low: 1, high: 3, when: { a: [1] } }',
          '',
        ].join('\n'),
      );
      const db = join(dir, 'bad.db');
      const run = await runCli(['run', file, '--db', db]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/: 3 problems in the search space\n/);
      expect(run.stderr).toContain('bad.yaml:5:58 params.momentum.when.optimzer: unknown parent param "optimzer"; did you mean "optimizer"?');
      expect(run.stderr).toMatch(/bad\.yaml:6:\d+ params\.beta1\.when\.optimizer: optimizer never takes "adamw" \(its choices: "sgd", "momentum", "adam"\); did you mean "adam"\?/);
      expect(run.stderr).toMatch(/bad\.yaml:7:\d+ params\.rho\.when\.optimizer: min\/max need a numeric parent, and optimizer is categorical/);
      expect(existsSync(db)).toBe(false);
      // The cycle is reported once the parents themselves are known and reachable.
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}(momentum|beta1|rho):.*\n/gm, ''));
      const cycle = await runCli(['run', file, '--db', db]);
      expect(cycle.code).toBe(2);
      expect(cycle.stderr).toMatch(/bad\.yaml:5:\d+ params\.a\.when: the conditions form a cycle: a → b → a/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
