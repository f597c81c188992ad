import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSampler, GridSampler } from '../../src/samplers/index.js';
import { loadSpaceFile } from '../../src/space/load.js';
import type { Params } from '../../src/space/types.js';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { CLI, OBJECTIVES, REPO, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function writeSpace(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

/** A grid search over echo-params.mjs; `trials` only when given (default: the whole grid). */
const gridSpace = (study: string, seed: number, params: string[], trials?: number) => `study: ${study}
seed: ${seed}
objective:
  module: ${join(OBJECTIVES, 'echo-params.mjs')}
  direction: maximize
search:
  strategy: grid
${trials === undefined ? '' : `  trials: ${trials}\n`}params:
${params.map((line) => `  ${line}`).join('\n')}
`;

/** Runs one space from two CLI processes at once, on one database. */
const fromTwoProcesses = (space: string, db: string, extra: string[] = []) =>
  Promise.all([0, 1].map(() => runCli(['run', space, '--db', db, '--resume', '--workers', '2', ...extra])));

/** The trials of the (one) study in a SQLite file, by sample index, as stored. */
function storedTrials(db: string): { index: number; paramsJson: string; params: Params; state: string }[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    const found = sqlite.prepare('SELECT sample_index, params_json, state FROM trials ORDER BY sample_index').all() as { sample_index: number; params_json: string; state: string }[];
    return found.map((r) => ({ index: r.sample_index, paramsJson: r.params_json, params: JSON.parse(r.params_json) as Params, state: r.state }));
  } finally {
    sqlite.close();
  }
}

const randomSpace = (study: string, trials = 12) =>
  moduleSpaceYaml({
    study,
    seed: 42,
    trials,
    params: ['lr: { type: float, low: 1.0e-6, high: 1.0e-2, log: true }', 'weight_decay: { type: float, low: 1.0e-8, high: 1.0e-4, log: true }', 'epochs: 3'],
  });

describe('hpsearch CLI, end to end in child processes', () => {
  it('runs a study, prints the best 5 in the book style, and answers every query command', async () => {
    const dir = tempDir();
    const db = join(dir, 'runs', 'study.db');
    const space = writeSpace(dir, 'best', randomSpace('best'));

    const run = await runCli(['run', space, '--db', db, '--workers', '2']);
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(0);
    const bestLines = run.stdout.split('\n').filter((l) => l.startsWith('Best-'));
    expect(bestLines).toHaveLength(5);
    expect(bestLines[0]).toMatch(/^Best-1 \(val acc: [0-9.]+\) \| lr: [0-9.]+e-\d, weight decay: [0-9.]+e-\d$/);
    expect(run.stderr).toMatch(/trials 12\/12/);

    const board = await runCli(['leaderboard', 'best', '--db', db, '--top', '4', '--format', 'json']);
    expect(board.code).toBe(0);
    const rows = JSON.parse(board.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(4);
    expect(Object.keys(rows[0]!)).toEqual(['rank', 'number', 'state', 'value', 'params', 'steps', 'stopped', 'duration_ms', 'sampler_state', 'sampler']);
    // Random search records nothing about a trial, so it has no label.
    expect(rows.every((r) => JSON.stringify(r['sampler_state']) === '{}' && r['sampler'] === null)).toBe(true);
    expect(rows.map((r) => r['rank'])).toEqual([1, 2, 3, 4]);
    const values = rows.map((r) => r['value'] as number);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(rows[0]!['steps']).toBe(3);

    // The run's Best-1 is the leaderboard's first row.
    const first = rows[0]!;
    const trial = await runCli(['trial', 'best', String(first['number']), '--db', db, '--format', 'json']);
    expect(trial.code).toBe(0);
    const detail = JSON.parse(trial.stdout) as { value: number; steps: { step: number; val_accuracy: number }[] };
    expect(detail.value).toBe(first['value']);
    expect(detail.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(detail.steps[2]!.val_accuracy).toBe(detail.value);

    const csv = await runCli(['leaderboard', 'best', '--db', db, '--format', 'csv', '--top', '2']);
    expect(csv.stdout.split(/\r?\n/)[0]).toBe('rank,number,state,value,lr,weight_decay,epochs,steps,stopped,duration_ms');
    expect(csv.stdout.trim().split('\n')).toHaveLength(3);

    const table = await runCli(['leaderboard', 'best', '--db', db]);
    expect(table.stdout).toMatch(/^rank\s+#\s+state\s+val_accuracy\s+lr\s/);
    expect(table.stdout).not.toMatch(/sampler/);
    expect(table.stdout.trim().split('\n')).toHaveLength(12);

    const studies = await runCli(['studies', '--db', db, '--format', 'json']);
    const list = JSON.parse(studies.stdout) as { name: string }[];
    expect(list.map((s) => s.name)).toEqual(['best']);
  });

  it("labels each trial with what its sampler recorded (TPE's phase, narrowing's round) in the leaderboard and the trial command", async () => {
    const dir = tempDir();
    const db = join(dir, 'labels.db');
    for (const file of ['report-tpe.yaml', 'report-narrowing.yaml']) {
      const run = await runCli(['run', join(REPO, 'test', 'fixtures', 'spaces', file), '--db', db, '--workers', '1']);
      expect(run.stderr).not.toMatch(/unexpected error/);
      expect(run.code).toBe(0);
    }
    // report-tpe.yaml: 4 startup trials, then 6 modelled ones.
    const json = await runCli(['leaderboard', 'report-tpe', '--db', db, '--format', 'json']);
    const rows = JSON.parse(json.stdout) as { number: number; sampler_state: Record<string, unknown>; sampler: string | null }[];
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      const phase = row.number < 4 ? 'startup' : 'tpe';
      expect(row.sampler_state).toEqual({ phase });
      expect(row.sampler).toBe(phase);
    }
    const table = (await runCli(['leaderboard', 'report-tpe', '--db', db, '--top', '10'])).stdout.split('\n');
    expect(table[0]).toMatch(/^rank\s+#\s+state\s+sampler\s+val_accuracy\s+learning_rate\s/);
    const cells = table.slice(2, 12).map((line) => line.trim().split(/\s{2,}/));
    expect(cells.map(([, number, , sampler]) => [Number(number), sampler])).toEqual(cells.map(([, number]) => [Number(number), Number(number) < 4 ? 'startup' : 'tpe']));
    const csv = (await runCli(['leaderboard', 'report-tpe', '--db', db, '--format', 'csv'])).stdout.split(/\r?\n/);
    expect(csv[0]).toBe('rank,number,state,sampler,value,learning_rate,weight_decay,epochs,steps,stopped,duration_ms');

    const trial = await runCli(['trial', 'report-tpe', '7', '--db', db]);
    expect(trial.code).toBe(0);
    expect(trial.stdout).toMatch(/^sampler {3}tpe$/m);
    expect(trial.stdout).not.toMatch(/^round/m);
    const startup = JSON.parse((await runCli(['trial', 'report-tpe', '0', '--db', db, '--format', 'json'])).stdout) as Record<string, unknown>;
    expect(startup).toMatchObject({ round: null, sampler: 'startup', sampler_state: { phase: 'startup' } });

    // Narrowing: its round, as a label, with JSON's round kept.
    const narrowed = JSON.parse((await runCli(['trial', 'report-narrowing', '5', '--db', db, '--format', 'json'])).stdout) as Record<string, unknown>;
    expect(narrowed).toMatchObject({ round: 1, sampler: 'round 1', sampler_state: { round: 1 } });
    expect((await runCli(['trial', 'report-narrowing', '5', '--db', db])).stdout).toMatch(/^sampler {3}round 1$/m);
    const board = (await runCli(['leaderboard', 'report-narrowing', '--db', db, '--top', '12'])).stdout.split('\n');
    expect(board[0]).toMatch(/^rank\s+#\s+state\s+sampler\s+val_accuracy\s/);
    expect(board.slice(2, 14).map((line) => line.trim().split(/\s{2,}/)[3])).toEqual(expect.arrayContaining(['round 0', 'round 1', 'round 2']));
    expect(board.slice(2, 14).every((line) => /^round [012]$/.test(line.trim().split(/\s{2,}/)[3]!))).toBe(true);
  });

  it('rejects an invalid space with exit code 2, every problem listed, and no database written', async () => {
    const dir = tempDir();
    const db = join(dir, 'never.db');
    const space = writeSpace(
      dir,
      'broken',
      `study: broken
objective:
  module: ${join(OBJECTIVES, 'curve.mjs')}
  direction: maximize
search:
  strategy: random
  trials: 0
params:
  lr: { type: float, low: 1.0e-2, hgih: 1.0e-6, log: true }
`,
    );
    const result = await runCli(['run', space, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(space);
    expect(result.stderr).toContain('search.trials');
    expect(result.stderr).toMatch(/params\.lr\.hgih.*did you mean "high"/);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses to reuse a study name without --resume, and --resume continues to the new budget', async () => {
    const dir = tempDir();
    const db = join(dir, 'resume.db');
    const space = writeSpace(dir, 'again', randomSpace('again', 4));
    expect((await runCli(['run', space, '--db', db, '--workers', '1'])).code).toBe(0);
    const clash = await runCli(['run', space, '--db', db]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/already exists.*--resume/);
    const more = await runCli(['run', space, '--db', db, '--resume', '--trials', '9', '--format', 'json']);
    expect(more.code).toBe(0);
    const summary = JSON.parse(more.stdout) as { ran: number; counts: { complete: number } };
    expect(summary.ran).toBe(5);
    expect(summary.counts.complete).toBe(9);
  });

  it('runs a grid from two processes on one database without repeating a point', async () => {
    const dir = tempDir();
    const db = join(dir, 'shared.db');
    const space = writeSpace(dir, 'grid', gridSpace('shared-grid', 1, ['x: { type: int, low: 0, high: 29 }', 'y: { type: categorical, choices: [a, b] }']));
    expect((await fromTwoProcesses(space, db)).map((r) => r.code)).toEqual([0, 0]);
    const rows = storedTrials(db);
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.paramsJson)).size).toBe(60);
    expect(rows.every((r) => r.state === 'complete')).toBe(true);
  });

  it('runs a conditional grid from two processes on one database: each of the tree\'s 12 points exactly once, with only its active params', async () => {
    const dir = tempDir();
    const db = join(dir, 'conditional.db');
    const space = writeSpace(
      dir,
      'conditional',
      gridSpace('conditional-grid', 1, [
        'lr: { type: float, values: [0.01, 0.1] }',
        'optimizer: { type: categorical, choices: [sgd, momentum, adam] }',
        'momentum: { type: float, values: [0.5, 0.9], when: { optimizer: [momentum] } }',
        'beta1: { type: float, values: [0.8, 0.9, 0.99], when: { optimizer: [adam] } }',
      ]),
    );
    const [a, b] = await fromTwoProcesses(space, db);
    expect([a!.stderr, b!.stderr].join('\n')).not.toMatch(/unexpected error/);
    expect([a!.code, b!.code]).toEqual([0, 0]);
    const expected = [0.01, 0.1].flatMap((lr) => [
      { lr, optimizer: 'sgd' },
      ...[0.5, 0.9].map((momentum) => ({ lr, optimizer: 'momentum', momentum })),
      ...[0.8, 0.9, 0.99].map((beta1) => ({ lr, optimizer: 'adam', beta1 })),
    ]);
    const rows = storedTrials(db);
    expect(rows.every((r) => r.state === 'complete')).toBe(true);
    // Stored as JSON in declaration order with only the active params: the exact texts, each once.
    expect(rows.map((r) => r.paramsJson).sort()).toEqual(expected.map((p) => JSON.stringify(p)).sort());
  });

  it('runs a partial grid from two processes: the seed\'s permuted points, over both axes, none twice, and a larger --trials goes on along them', async () => {
    const dir = tempDir();
    const db = join(dir, 'partial.db');
    const space = writeSpace(dir, 'partial', gridSpace('partial-grid', 5, ['x: { type: int, low: 0, high: 29 }', 'y: { type: categorical, choices: [a, b] }'], 12));
    const both = (extra: string[]) => fromTwoProcesses(space, db, extra);
    const rows = () => storedTrials(db);
    // What the study's index i must hold: point π(i) of the listing, π keyed by seed 5.
    const sampler = createSampler((await loadSpaceFile(space)).space);
    expect(sampler).toBeInstanceOf(GridSampler);
    expect((sampler as GridSampler).order).toBe('permuted');
    const expected = async (index: number) => (await sampler.sample({ index, history: async () => [] })).params;

    expect((await both([])).map((r) => r.code)).toEqual([0, 0]);
    const partial = rows();
    expect(partial.map((r) => r.index)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(partial.every((r) => r.state === 'complete')).toBe(true);
    expect(new Set(partial.map((r) => JSON.stringify(r.params))).size).toBe(12);
    for (const row of partial) expect(row.params).toEqual(await expected(row.index));
    // The listing's first 12 points are x = 0..5: these reach across x and take both y.
    const xs = partial.map((r) => r.params['x'] as number);
    expect(Math.max(...xs)).toBeGreaterThan(15);
    expect(new Set(xs).size).toBeGreaterThan(6);
    expect(new Set(partial.map((r) => r.params['y']))).toEqual(new Set(['a', 'b']));

    // A later run asks for the whole grid: the study keeps its permuted order (listing order
    // from index 12 on would repeat points), so the 60 trials are the 60 points once each.
    expect((await both(['--trials', '60'])).map((r) => r.code)).toEqual([0, 0]);
    const whole = rows();
    expect(whole).toHaveLength(60);
    expect(whole.slice(0, 12)).toEqual(partial);
    expect(new Set(whole.map((r) => JSON.stringify(r.params))).size).toBe(60);
    for (const row of whole) expect(row.params).toEqual(await expected(row.index));
  });

  it('narrows a study into a new space file that runs inside the old ranges', async () => {
    const dir = tempDir();
    const db = join(dir, 'narrow.db');
    const space = writeSpace(dir, 'coarse', randomSpace('coarse', 30));
    expect((await runCli(['run', space, '--db', db, '--workers', '2'])).code).toBe(0);
    const out = join(dir, 'sub', 'fine.yaml');
    const narrow = await runCli(['narrow', 'coarse', '--db', db, '--top', '5', '--margin', '0', '--out', out]);
    expect(narrow.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Narrowed from study "coarse"/);
    const top = JSON.parse((await runCli(['leaderboard', 'coarse', '--db', db, '--top', '5', '--format', 'json'])).stdout) as {
      params: { lr: number };
    }[];
    const lrs = top.map((r) => r.params.lr);
    const fine = await runCli(['run', out, '--db', db, '--format', 'json', '--trials', '10']);
    expect(fine.stderr).not.toMatch(/error/i);
    expect(fine.code).toBe(0);
    const fineBoard = JSON.parse((await runCli(['leaderboard', 'coarse-narrowed', '--db', db, '--top', '10', '--format', 'json'])).stdout) as {
      params: { lr: number };
    }[];
    expect(fineBoard).toHaveLength(10);
    for (const row of fineBoard) {
      expect(row.params.lr).toBeGreaterThanOrEqual(Math.min(...lrs) * (1 - 1e-9));
      expect(row.params.lr).toBeLessThanOrEqual(Math.max(...lrs) * (1 + 1e-9));
    }
  });

  it('narrows a conditional study: each param over the best trials where it was active, its when: kept, and children of lost branches dropped', async () => {
    const dir = tempDir();
    const db = join(dir, 'cond.db');
    const space = writeSpace(
      dir,
      'cond',
      moduleSpaceYaml({
        study: 'cond',
        seed: 3,
        trials: 30,
        objective: 'conditional.mjs',
        params: [
          'lr: { type: float, low: 1.0e-5, high: 1.0e-1, log: true }',
          'optimizer: { type: categorical, choices: [sgd, momentum, adam] }',
          'momentum: { type: float, low: 0.5, high: 0.99, when: { optimizer: [momentum] } }',
          'beta1: { type: float, low: 0.8, high: 0.99, when: { optimizer: [adam] } }',
        ],
      }),
    );
    expect((await runCli(['run', space, '--db', db, '--workers', '2'])).code).toBe(0);
    const top = JSON.parse((await runCli(['leaderboard', 'cond', '--db', db, '--top', '5', '--format', 'json'])).stdout) as { params: Params }[];
    const optimizers = new Set(top.map((row) => row.params['optimizer']));
    // Adam scores lowest: the best five never use it.
    expect(optimizers.has('adam')).toBe(false);
    const out = join(dir, 'cond-fine.yaml');
    expect((await runCli(['narrow', 'cond', '--db', db, '--top', '5', '--margin', '0', '--out', out])).code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# Dropped beta1: optimizer no longer takes "adam" among the best trials, so it would never exist\.$/m);
    const narrowed = (await loadSpaceFile(out)).space.params;
    expect(narrowed['beta1']).toBeUndefined();
    expect(narrowed['optimizer']).toEqual({ type: 'categorical', choices: ['sgd', 'momentum'].filter((o) => optimizers.has(o)) });
    const momenta = top.flatMap((row) => (row.params['momentum'] === undefined ? [] : [row.params['momentum'] as number]));
    if (optimizers.has('momentum')) {
      const spec = narrowed['momentum'] as { low: number; high: number; when: unknown };
      // Ranges are written to 12 significant digits.
      expect(spec.low).toBeCloseTo(Math.min(...momenta), 10);
      expect(spec.high).toBeCloseTo(Math.max(...momenta), 10);
      expect(spec.when).toEqual({ optimizer: { kind: 'in', values: ['momentum'] } });
    } else {
      expect(narrowed['momentum']).toBeUndefined();
    }
    // The narrowed file runs, inside the narrowed ranges, with momentum only where its optimizer is.
    expect((await runCli(['run', out, '--db', db, '--trials', '8'])).code).toBe(0);
    const fine = JSON.parse((await runCli(['leaderboard', 'cond-narrowed', '--db', db, '--top', '8', '--format', 'json'])).stdout) as { params: Params }[];
    expect(fine).toHaveLength(8);
    for (const row of fine) {
      expect(optimizers.has(row.params['optimizer'])).toBe(true);
      expect(Object.keys(row.params)).toEqual(row.params['optimizer'] === 'momentum' ? ['lr', 'optimizer', 'momentum'] : ['lr', 'optimizer']);
      if (row.params['momentum'] !== undefined) {
        expect(row.params['momentum']).toBeGreaterThanOrEqual(Math.min(...momenta) - 1e-9);
        expect(row.params['momentum']).toBeLessThanOrEqual(Math.max(...momenta) + 1e-9);
      }
    }
  });

  it('explains missing studies, databases and trials with exit code 2', async () => {
    const dir = tempDir();
    const db = join(dir, 'q.db');
    const noDb = await runCli(['leaderboard', 'x', '--db', db]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/no database at .*q\.db/);
    expect(existsSync(db)).toBe(false);

    const space = writeSpace(dir, 'named', randomSpace('named', 2));
    expect((await runCli(['run', space, '--db', db, '--workers', '1'])).code).toBe(0);
    const typo = await runCli(['leaderboard', 'nmaed', '--db', db]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no study "nmaed".*did you mean "named"/);
    const missingTrial = await runCli(['trial', 'named', '5', '--db', db]);
    expect(missingTrial.code).toBe(2);
    expect(missingTrial.stderr).toMatch(/numbered 0 to 1/);
    // A module objective's model is the user's: evaluate refuses the study before looking for one.
    const evaluate = await runCli(['evaluate', 'named', '--db', db, '--test']);
    expect(evaluate.code).toBe(2);
    expect(evaluate.stderr).toMatch(/study "named" has a module objective: hpsearch evaluate scores the models of built-in tasks/);
    const badOption = await runCli(['leaderboard', 'named', '--db', db, '--top', 'many']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/positive integer/);
  });

  it('shows help with examples for every command', async () => {
    for (const command of ['run', 'leaderboard', 'studies', 'trial', 'narrow', 'enqueue', 'evaluate', 'compare', 'report', 'serve', 'worker', 'copy']) {
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Usage: hpsearch /);
      expect(help.stdout).toMatch(/Examples:\n  \$ hpsearch /);
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/Commands:/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('exits quietly when the reader of its output goes away (`| head`)', () => {
    // A shell pipe into `head -1`, which closes it after the first line.
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" worker --help | head -1`], { encoding: 'utf8' });
    expect(result.stdout).toBe('Usage: hpsearch worker [options] <study>\n');
    expect(result.stderr).toBe('');
  });
});
