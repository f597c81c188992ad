import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { describePostgres, usePostgres } from '../helpers/postgres.js';
import { CLI } from '../helpers/temp.js';

const dir = mkdtempSync(join(tmpdir(), 'hpsearch-pg-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function space(name: string, trials: number, delayMs: number): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    moduleSpaceYaml({ study: name, seed: 4, objective: 'ramp.mjs', trials, params: ['x: { type: float, low: 0, high: 1 }', 'epochs: 3', `delay_ms: ${delayMs}`] }),
  );
  return file;
}

async function trialsOf(url: string, study: string): Promise<TrialRecord[]> {
  const storage = await openStorage(url);
  try {
    return await storage.listTrials((await storage.getStudy(study))!.id);
  } finally {
    await storage.close();
  }
}

function startWorker(url: string, study: string): { child: ChildProcess; owns: (owner: string | null) => boolean; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, 'worker', study, '--storage', url, '--workers', '1', '--trials', '60'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  // Owners are host:pid:nonce.
  return { child, owns: (owner) => owner?.startsWith(`${hostname()}:${child.pid}:`) === true, exited };
}

describePostgres('many hosts on one PostgreSQL study (worker processes over loopback)', () => {
  const server = usePostgres();
  afterEach(() => server().dropDatabases());

  it('three workers on one 60-trial study, one SIGKILLed mid-run: exactly 60 finished trials, none twice', async () => {
    const url = await server().createDatabase('s3cret');
    // Host 1 creates the study (its space goes into the database); the workers join it by name.
    const created = await runCli(['run', space('multi', 1, 40), '--storage', url, '--workers', '1']);
    expect(created.code).toBe(0);
    expect(created.stderr).not.toContain('s3cret');
    expect(created.stderr).toContain(':***@');
    const workers = [startWorker(url, 'multi'), startWorker(url, 'multi'), startWorker(url, 'multi')];
    const victim = workers[0]!;
    // Freeze the victim at a moment it holds a running trial, then kill it: that trial must be run by the others.
    for (;;) {
      const trials = await trialsOf(url, 'multi');
      if (trials.filter((t) => t.state === 'complete').length >= 10 && trials.some((t) => t.state === 'running' && victim.owns(t.owner))) {
        victim.child.kill('SIGSTOP');
        const again = await trialsOf(url, 'multi');
        if (again.some((t) => t.state === 'running' && victim.owns(t.owner))) break;
        victim.child.kill('SIGCONT');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    const survivors = await Promise.all(workers.slice(1).map((w) => w.exited));
    for (const s of survivors) {
      expect(s.stderr).not.toMatch(/unexpected error/);
      expect(s.code).toBe(0);
      expect(s.stderr).not.toContain('s3cret');
    }
    expect(survivors.map((s) => s.stderr).join('\n')).toMatch(/requeued 1 trial left running by a run that died/);
    const trials = await trialsOf(url, 'multi');
    expect(trials).toHaveLength(60);
    expect(trials.every((t) => t.state === 'complete')).toBe(true);
    expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(new Set(trials.map((t) => t.sampleIndex)).size).toBe(60);
    expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(60);
    // All three took part; the victim's finished trials are kept.
    expect(new Set(trials.map((t) => t.owner)).size).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('every reading command works on --storage URL, and copy moves a study SQLite -> PostgreSQL -> SQLite unchanged', async () => {
    const url = await server().createDatabase('pw');
    const db = join(dir, 'local.db');
    expect((await runCli(['run', space('moved', 6, 0), '--db', db, '--workers', '1'])).code).toBe(0);
    const up = await runCli(['copy', 'moved', '--from', db, '--to', url]);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/copied study "moved" \(6 trials\) from .*local\.db to postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+$/m);
    expect(up.stderr).not.toContain(':pw@');
    const board = await runCli(['leaderboard', 'moved', '--storage', url, '--format', 'json']);
    expect(board.code).toBe(0);
    const local = await runCli(['leaderboard', 'moved', '--db', db, '--format', 'json']);
    expect(JSON.parse(board.stdout)).toEqual(JSON.parse(local.stdout));
    const studies = await runCli(['studies', '--format', 'json'], { env: { HPSEARCH_STORAGE: url } });
    expect(studies.code).toBe(0);
    expect((JSON.parse(studies.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(['moved']);
    expect((await runCli(['trial', 'moved', '2', '--storage', url])).code).toBe(0);
    const report = await runCli(['report', 'moved', '--storage', url, '--out', join(dir, 'moved.html')]);
    expect(report.code).toBe(0);
    const back = join(dir, 'back.db');
    expect((await runCli(['copy', 'moved', '--from', url, '--to', back])).code).toBe(0);
    const [a, b] = await Promise.all([trialsOf(db, 'moved'), trialsOf(back, 'moved')]);
    expect(b.map((t) => ({ ...t, id: 0, studyId: 0 }))).toEqual(a.map((t) => ({ ...t, id: 0, studyId: 0 })));
  }, 120_000);

  it('narrow, compare and serve work on --storage URL too', async () => {
    const url = await server().createDatabase();
    expect((await runCli(['run', space('wide', 8, 0), '--storage', url, '--workers', '1'])).code).toBe(0);
    const narrowed = await runCli(['narrow', 'wide', '--storage', url, '--top', '3']);
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toMatch(/^study: wide-narrowed$/m);
    const compared = await runCli(['compare', space('cmp', 6, 0), '--storage', url, '--pruners', 'none,median', '--workers', '1', '--format', 'json']);
    expect(compared.stderr).not.toMatch(/unexpected error/);
    expect(compared.code).toBe(0);
    expect((JSON.parse(compared.stdout) as { strategies: Array<{ strategy: string }> }).strategies.map((x) => x.strategy)).toEqual(['none', 'median']);
    const studies = await runCli(['studies', '--storage', url, '--format', 'json']);
    expect((JSON.parse(studies.stdout) as Array<{ name: string }>).map((x) => x.name).sort()).toEqual(['cmp.compare.median.s4', 'cmp.compare.none.s4', 'wide']);

    const serve = spawn(process.execPath, [CLI, 'serve', '--storage', url, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let err = '';
        serve.stderr!.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
          if (m) resolve(m[1]!);
        });
        serve.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      const api = await fetch(`${base}api/study/wide`);
      expect(api.status).toBe(200);
      expect(((await api.json()) as { data: { trials: unknown[] } }).data.trials).toHaveLength(8);
    } finally {
      serve.kill('SIGINT');
    }
  }, 120_000);
});
