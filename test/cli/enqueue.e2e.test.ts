import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** The book's space over the curve fixture, with `enqueue` lines under search. */
function writeSpace(dir: string, study: string, trials: number, enqueue: string[]): string {
  const text = moduleSpaceYaml({
    study,
    seed: 42,
    trials,
    params: ['lr: { type: float, low: 1.0e-6, high: 1.0e-2, log: true }', 'weight_decay: { type: float, low: 1.0e-8, high: 1.0e-4, log: true }', 'epochs: 3'],
  }).replace(`  trials: ${trials}\n`, `  trials: ${trials}\n  enqueue:\n${enqueue.map((line) => `    - ${line}\n`).join('')}`);
  const file = join(dir, `${study}.yaml`);
  writeFileSync(file, text);
  return file;
}

interface TrialRow { number: number; state: string; params: Record<string, unknown> }

/** Every finished trial of the study, by number. */
async function finished(study: string, db: string): Promise<TrialRow[]> {
  const board = await runCli(['leaderboard', study, '--db', db, '--all', '--top', '1000', '--format', 'json']);
  expect(board.code, board.stderr).toBe(0);
  return (JSON.parse(board.stdout) as TrialRow[]).sort((a, b) => a.number - b.number);
}

function expectOk(result: CliResult): void {
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code, result.stderr).toBe(0);
}

describe('warm starts from the command line, end to end in child processes', () => {
  it("runs a file's search.enqueue first and once; `hpsearch enqueue` adds trials the next run runs first", async () => {
    const dir = tempDir();
    const db = join(dir, 'warm.db');
    const space = writeSpace(dir, 'warm', 4, ['{ lr: 1.0e-2, weight_decay: 1.0e-6 }', '{ lr: 1.0e-3 }']);

    expectOk(await runCli(['run', space, '--db', db, '--workers', '2']));
    let trials = await finished('warm', db);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
    expect(trials[0]!.params).toEqual({ lr: 0.01, weight_decay: 1e-6, epochs: 3 });
    expect(trials[1]!.params).toMatchObject({ lr: 0.001, epochs: 3 });
    expect(trials[1]!.params['weight_decay']).toEqual(expect.any(Number));

    // The study has spent its budget: the note says which --trials runs the new one.
    const json = await runCli(['enqueue', 'warm', '--db', db, '--params', '{"lr": 0.005}', '--format', 'json']);
    expectOk(json);
    expect(JSON.parse(json.stdout)).toEqual([{ number: 4, params: { lr: 0.005 } }]);
    expect(json.stderr).toContain(`hpsearch: note: study "warm" now holds 5 trials, more than its budget of 4, and a run stops at the budget: run it with --trials 5 to run the queued ones (hpsearch run ${space} --resume --trials 5 --db ${db}`);

    const table = await runCli(['enqueue', 'warm', '--db', db, '--params', '{"lr": 0.002}', '--params', '{"weight_decay": 1e-7, "lr": 0.0001, "epochs": 3}']);
    expectOk(table);
    expect(table.stdout).toBe('queued trial 5: lr 2e-3 (sampled when it runs: weight_decay)\nqueued trial 6: weight_decay 1e-7, lr 1e-4, epochs 3\n');

    // The second run of the study queues nothing again: it runs the three queued trials, first, and stops at 7.
    const resumed = await runCli(['run', space, '--db', db, '--resume', '--trials', '7', '--workers', '1']);
    expectOk(resumed);
    expect(resumed.stderr).toMatch(/3 trials run/);
    trials = await finished('warm', db);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(trials[0]!.params).toEqual({ lr: 0.01, weight_decay: 1e-6, epochs: 3 });
    expect(trials[4]!.params).toMatchObject({ lr: 0.005, epochs: 3, weight_decay: expect.any(Number) });
    expect(trials[5]!.params).toMatchObject({ lr: 0.002 });
    expect(trials[6]!.params).toEqual({ weight_decay: 1e-7, lr: 0.0001, epochs: 3 });
    expect(trials.every((t) => t.state === 'complete')).toBe(true);

    // Each enqueue says so again, with the new count.
    const more = await runCli(['enqueue', 'warm', '--db', db, '--params', '{"lr": 0.003}']);
    expect(more.stderr).toContain('now holds 8 trials, more than its budget of 4');
  });

  it('queues the enqueued trials once when two processes start the same new study at the same moment', async () => {
    const dir = tempDir();
    const db = join(dir, 'race.db');
    const space = writeSpace(dir, 'race', 6, ['{ lr: 1.0e-2 }', '{ lr: 2.0e-3 }']);
    const runs = await Promise.all([0, 1].map(() => runCli(['run', space, '--db', db, '--resume', '--workers', '1'])));
    for (const run of runs) expectOk(run);
    const trials = await finished('race', db);
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials.filter((t) => t.params['lr'] === 0.01 || t.params['lr'] === 0.002).map((t) => t.number)).toEqual([0, 1]);
  });

  it('refuses a bad value or bad JSON with exit code 2 and what to fix, queueing none of the trials', async () => {
    const dir = tempDir();
    const db = join(dir, 'bad.db');
    const space = writeSpace(dir, 'bad', 2, ['{ lr: 1.0e-2 }']);
    expectOk(await runCli(['run', space, '--db', db, '--workers', '1']));
    const enqueue = (...params: string[]) => runCli(['enqueue', 'bad', '--db', db, ...params.flatMap((p) => ['--params', p])]);

    const outside = await enqueue('{"lr": 0.5}');
    expect(outside.code).toBe(2);
    expect(outside.stderr).toBe('hpsearch: enqueued lr 0.5 is outside [1e-6, 0.01]; give a value in that range, or widen params.lr\n');

    const second = await enqueue('{"lr": 0.001}', '{"weight_decy": 1e-6}');
    expect(second.code).toBe(2);
    expect(second.stderr).toBe('hpsearch: --params 2: enqueued param "weight_decy" is not in the space; did you mean "weight_decay"?\n');

    const fixed = await enqueue('{"epochs": 5}');
    expect(fixed.stderr).toBe('hpsearch: enqueued epochs 5 differs from its fixed value 3; leave it out (fixed params are filled in)\n');

    const json = await enqueue("{lr: 0.01}");
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^hpsearch: --params is not valid JSON \(.+\): give one object in single quotes, e\.g\. --params '\{"lr": 0\.01\}'\n$/);

    const list = await enqueue('[{"lr": 0.01}]');
    expect(list.code).toBe(2);
    expect(list.stderr).toBe(`hpsearch: --params must be a JSON object of param name to value, e.g. '{"lr": 0.01}', got a list (give one --params per trial)\n`);

    const unknown = await runCli(['enqueue', 'bda', '--db', db, '--params', '{"lr": 0.01}']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no study "bda" in');
    expect(unknown.stderr).toContain('did you mean "bad"?');

    const nothing = await runCli(['enqueue', 'bad', '--db', db]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/required option '--params <json>' not specified/);

    const noDb = await runCli(['enqueue', 'bad', '--db', join(dir, 'none.db'), '--params', '{"lr": 0.01}']);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/no database at/);

    // None of them queued anything.
    const trials = await finished('bad', db);
    expect(trials.map((t) => t.number)).toEqual([0, 1]);
    const studies = await runCli(['studies', '--db', db, '--format', 'json']);
    expect((JSON.parse(studies.stdout) as { counts: Record<string, number> }[])[0]!.counts).toMatchObject({ queued: 0, complete: 2 });
  });

  it('leaves the enqueued trials out of a narrowed space file, which runs', async () => {
    const dir = tempDir();
    const db = join(dir, 'narrow.db');
    // An enqueued point at the edge of the range: outside the narrowed one.
    const space = writeSpace(dir, 'wide', 8, ['{ lr: 1.0e-6, weight_decay: 1.0e-8 }']);
    expectOk(await runCli(['run', space, '--db', db, '--workers', '2']));
    const out = join(dir, 'fine.yaml');
    expectOk(await runCli(['narrow', 'wide', '--db', db, '--top', '3', '--out', out]));
    expect(readFileSync(out, 'utf8')).not.toMatch(/^ *enqueue:/m);
    expectOk(await runCli(['run', out, '--db', db, '--trials', '2', '--workers', '1']));
    expect(await finished('wide-narrowed', db)).toHaveLength(2);
  });

  it('has --help with examples, and is listed in the program help', async () => {
    const help = await runCli(['enqueue', '--help']);
    expectOk(help);
    expect(help.stdout).toContain('Usage: hpsearch enqueue [options] <study>');
    expect(help.stdout).toContain(`$ hpsearch enqueue best5 --params '{"learning_rate": 0.01, "weight_decay": 1e-6}'`);
    expect(help.stdout).toContain('--storage <location>');
    expect((await runCli(['--help'])).stdout).toMatch(/enqueue \[options\] <study>/);
  });
});
