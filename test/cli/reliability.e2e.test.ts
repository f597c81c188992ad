import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CLI, OBJECTIVES, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tempDir = useTempDir();

interface Row {
  number: number;
  sample_index: number;
  state: string;
  params_json: string;
  value: number | null;
  owner: string | null;
}

/**
 * A random study of `trials` ramp trials, each `epochs` steps of `delayMs`; with `hold` (a file
 * path), every step after the first waits until that file exists.
 */
function space(dir: string, name: string, trials: number, epochs: number, delayMs: number, strategy = 'random', hold?: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `study: ${name}
seed: 11
objective:
  module: ${JSON.stringify(join(OBJECTIVES, 'ramp.mjs'))}
  metric: val_accuracy
  direction: maximize
search:
  strategy: ${strategy}
${strategy === 'random' ? `  trials: ${trials}\n` : ''}params:
  x: ${strategy === 'grid' ? `{ type: int, low: 0, high: ${trials - 1} }` : '{ type: float, low: 0, high: 1 }'}
  epochs: ${epochs}
  delay_ms: ${delayMs}
${hold === undefined ? '' : `  hold: ${JSON.stringify(hold)}\n`}`,
  );
  return file;
}

function rows(db: string): Row[] {
  const sqlite = new Database(db, { readonly: true });
  try {
    return sqlite.prepare('SELECT number, sample_index, state, params_json, value, owner FROM trials ORDER BY number').all() as Row[];
  } finally {
    sqlite.close();
  }
}

function integrity(db: string): string {
  const sqlite = new Database(db);
  try {
    return (sqlite.pragma('integrity_check') as { integrity_check: string }[])[0]!.integrity_check;
  } finally {
    sqlite.close();
  }
}

/**
 * Starts `hpsearch run` in the background; `stderr` is its output so far; `exited` resolves to
 * its exit code (or signal) and output.
 */
function start(args: string[]): {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: string | null; stderr: string }>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, stderr: () => stderr, exited };
}

/** Polls the database until `ready` holds for its trials. */
async function until(db: string, ready: (trials: Row[]) => boolean, timeoutMs = 30_000): Promise<Row[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const trials = rows(db);
      if (ready(trials)) return trials;
    } catch {
      /* not created yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${db}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const complete = (trials: Row[]) => trials.filter((t) => t.state === 'complete');

/**
 * Stops `child` (SIGSTOP) at a moment when its trials in the database satisfy `ready`, so that
 * a SIGKILL after this lands in exactly that state; resumes and retries until it does.
 */
async function freezeWhen(child: ChildProcess, db: string, ready: (trials: Row[]) => boolean): Promise<Row[]> {
  for (;;) {
    await until(db, ready);
    child.kill('SIGSTOP');
    const trials = rows(db);
    if (ready(trials)) return trials;
    child.kill('SIGCONT');
  }
}

describe('reliability, on real processes', () => {
  it('SIGKILL mid-run, then resume: the dead run\'s trials run again with the same params, and the study ends with exactly its budget', async () => {
    const dir = tempDir();
    const db = join(dir, 'kill.db');
    const file = space(dir, 'killed', 16, 6, 40);
    const run = start(['run', file, '--db', db, '--workers', '2']);
    await freezeWhen(run.child, db, (t) => complete(t).length >= 4 && t.some((r) => r.state === 'running' && r.params_json !== '{}'));
    run.child.kill('SIGKILL');
    expect((await run.exited).signal).toBe('SIGKILL');

    const atDeath = rows(db);
    expect(integrity(db)).toBe('ok');
    const orphans = atDeath.filter((t) => t.state === 'running');
    expect(orphans.length).toBeGreaterThan(0);
    // Owners are host:pid:nonce.
    expect(orphans.every((t) => t.owner?.startsWith(`${hostname()}:${run.child.pid}:`))).toBe(true);

    const resumed = await runCli(['run', file, '--db', db, '--workers', '2', '--resume']);
    expect(resumed.stderr).not.toMatch(/unexpected error/);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`requeued ${orphans.length} trials? left running by a run that died: .*\\(no longer running\\)`));
    const after = rows(db);
    expect(after).toHaveLength(16);
    expect(after.every((t) => t.state === 'complete')).toBe(true);
    expect(after.map((t) => t.number)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(new Set(after.map((t) => t.sample_index)).size).toBe(16);
    // What had finished is kept as it was; what was running ran again with the same params.
    for (const done of complete(atDeath)) expect(after[done.number]).toEqual(done);
    for (const orphan of orphans.filter((t) => t.params_json !== '{}')) expect(after[orphan.number]!.params_json).toBe(orphan.params_json);
    expect(integrity(db)).toBe('ok');
  });

  it('SIGINT: no new trials, the grace period, then the unfinished ones go back to the queue; exit 130; a resume finishes the study', async () => {
    const dir = tempDir();
    const db = join(dir, 'int.db');
    // Held after their first step until `hold` exists: the running trials cannot end within the grace period, however slow the machine.
    const hold = join(dir, 'release');
    const file = space(dir, 'interrupted', 6, 8, 20, 'random', hold);
    const run = start(['run', file, '--db', db, '--workers', '2', '--grace', '0.3']);
    await until(db, (t) => t.filter((r) => r.state === 'running' && r.params_json !== '{}').length === 2);
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: no new trials; up to 0\.3 s for the running ones, then they go back to the queue/);
    expect(stderr).toMatch(/interrupted \(2 unfinished trials went back to the queue\); continue with: hpsearch run .* --resume/);
    const stopped = rows(db);
    expect(stopped.filter((t) => t.state === 'running')).toEqual([]);
    expect(stopped.filter((t) => t.state === 'queued')).toHaveLength(2);
    expect(integrity(db)).toBe('ok');

    writeFileSync(hold, '');
    const resumed = await runCli(['run', file, '--db', db, '--workers', '2', '--resume', '--trials', '3']);
    expect(resumed.code).toBe(0);
    const after = rows(db);
    expect(after.filter((t) => t.state === 'complete').map((t) => t.number)).toEqual([0, 1, 2]);
  });

  it('a second Ctrl-C exits at once, still putting the running trials back in the queue', async () => {
    const dir = tempDir();
    const db = join(dir, 'twice.db');
    // Held after their first step (the file is never created): only the second Ctrl-C can end the run.
    const file = space(dir, 'twice', 6, 8, 20, 'random', join(dir, 'never'));
    const run = start(['run', file, '--db', db, '--workers', '2', '--grace', '60']);
    await until(db, (t) => t.filter((r) => r.state === 'running' && r.params_json !== '{}').length === 2);
    run.child.kill('SIGINT');
    // The second Ctrl-C once the run has answered the first, however long that takes.
    await waitUntil('the run has answered the first SIGINT', () => /SIGINT: no new trials/.test(run.stderr()));
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT again: exiting now; the trials still running go back to the queue for a resume/);
    const after = rows(db);
    expect(after.map((t) => t.state)).toEqual(['queued', 'queued']);
    expect(integrity(db)).toBe('ok');
  });

  it('two processes on one grid, one of them killed: the other runs its trials too, every point exactly once', async () => {
    const dir = tempDir();
    const db = join(dir, 'pair.db');
    const file = space(dir, 'pair', 30, 3, 30, 'grid');
    // The first creates the study; the second joins it.
    const a = start(['run', file, '--db', db, '--workers', '1', '--resume']);
    await until(db, (t) => t.length > 0);
    const b = start(['run', file, '--db', db, '--workers', '1', '--resume']);
    const mine = (owner: string | null) => owner?.startsWith(`${hostname()}:${a.child.pid}:`) === true;
    await freezeWhen(a.child, db, (t) => complete(t).length >= 6 && t.some((r) => r.state === 'running' && mine(r.owner)) && t.some((r) => r.state === 'running' && !mine(r.owner)));
    a.child.kill('SIGKILL');
    await a.exited;
    const survivor = await b.exited;
    expect(survivor.stderr).not.toMatch(/unexpected error/);
    expect(survivor.code).toBe(0);
    expect(survivor.stderr).toMatch(/requeued 1 trial left running by a run that died/);
    const after = rows(db);
    expect(after).toHaveLength(30);
    expect(after.every((t) => t.state === 'complete')).toBe(true);
    expect(new Set(after.map((t) => t.params_json)).size).toBe(30);
    expect(integrity(db)).toBe('ok');
  });

  it('four processes started together on one new database: exactly the budget, no "database is locked", no trial twice', async () => {
    const dir = tempDir();
    const db = join(dir, 'four.db');
    const file = join(dir, 'four.yaml');
    // Each process's first trial waits for another process's first (objectives/meet.mjs): a
    // process the machine starts late cannot find the whole budget already spent.
    const meet = join(dir, 'meet');
    mkdirSync(meet);
    writeFileSync(
      file,
      `study: four
seed: 5
objective:
  module: ${JSON.stringify(join(OBJECTIVES, 'meet.mjs'))}
  direction: maximize
search:
  strategy: random
  trials: 200
params:
  x: { type: float, low: 0, high: 1 }
  meet: ${JSON.stringify(meet)}
`,
    );
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['run', file, '--db', db, '--workers', '1', '--resume'])));
    for (const run of runs) {
      expect(run.stderr).not.toMatch(/locked|unexpected error/);
      expect(run.code).toBe(0);
    }
    const after = rows(db);
    expect(after).toHaveLength(200);
    expect(after.every((t) => t.state === 'complete')).toBe(true);
    expect(new Set(after.map((t) => t.sample_index)).size).toBe(200);
    // They shared the work (a process that starts late may find little left, but two surely met).
    expect(new Set(after.map((t) => t.owner)).size).toBeGreaterThanOrEqual(2);
    expect(integrity(db)).toBe('ok');
  });
});
