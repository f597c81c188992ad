import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { Storage, TrialDetail } from '../../src/storage/storage.js';
import { describePostgres, usePostgres, type TestPostgres } from '../helpers/postgres.js';
import { CLI, OBJECTIVES, useTempDir } from '../helpers/temp.js';

/**
 * Two runs on two hosts sharing one study: run A (its own UTS namespace, so another host name)
 * stalls past --stale-after (SIGSTOP, as a suspended laptop or a lost network) with two trials
 * running; run B takes them over: it runs one (held mid-run) and the other waits in the queue.
 * Then A wakes up (SIGCONT) and goes on with the two trials it no longer owns. All those writes
 * must be refused: no trial may end with steps of both runs, nor with a curve missing steps.
 * Trials wait at their second step for a file named after their host (`go-{host}`), so each
 * moment is reached by the test's say-so, never by a timer.
 */

const tempDir = useTempDir();
const STALLED_HOST = 'hpsearch-stalled';
const TRIALS = 6;

function space(dir: string): string {
  const file = join(dir, 'two-hosts.yaml');
  writeFileSync(
    file,
    `study: two-hosts
seed: 21
objective:
  module: ${JSON.stringify(join(OBJECTIVES, 'ramp.mjs'))}
  metric: val_accuracy
  direction: maximize
search:
  strategy: random
  trials: ${TRIALS}
params:
  x: { type: float, low: 0, high: 1 }
  epochs: 8
  delay_ms: 20
  stamp: true
  hold: ${JSON.stringify(join(dir, 'go-{host}'))}
`,
  );
  return file;
}

/**
 * `hpsearch run` in the background; with `host`, in a UTS namespace of its own with that host
 * name (its pid is node's: sh execs it).
 */
function start(args: string[], host?: string): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const command = host === undefined ? [process.execPath, CLI, ...args] : ['unshare', '-u', 'sh', '-c', `hostname ${host} && exec "$0" "$@"`, process.execPath, CLI, ...args];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, exited };
}

/** Polls the study until `ready` holds for its trials. */
async function until(storage: Storage, what: string, ready: (trials: TrialDetail[]) => boolean): Promise<TrialDetail[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const trials = await trialsOf(storage);
    if (ready(trials)) return trials;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}: ${JSON.stringify(trials.map((t) => [t.number, t.state, t.owner, t.steps.length]))}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The study's trials with their steps, read one at a time (the reads of a frozen run's peer must stay light). */
async function trialsOf(storage: Storage): Promise<TrialDetail[]> {
  const study = await storage.getStudy('two-hosts');
  if (!study) return [];
  const trials: TrialDetail[] = [];
  for (const t of await storage.listTrials(study.id)) trials.push((await storage.getTrial(study.id, t.number))!);
  return trials;
}

/**
 * Whether the frozen run holds no write lock: one frozen inside a transaction would block the
 * other run (SQLite: for its busy timeout; PostgreSQL: for ever), which is not what is tested here.
 */
type Unlocked = () => Promise<boolean>;

function sqliteUnlocked(path: string): Unlocked {
  return async () => {
    const db = new Database(path, { timeout: 0 });
    try {
      db.exec('BEGIN IMMEDIATE; ROLLBACK');
      return true;
    } catch {
      return false;
    } finally {
      db.close();
    }
  };
}

function postgresUnlocked(server: TestPostgres, url: string): Unlocked {
  return async () => {
    const others = "datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
    // A statement the frozen run had sent still finishes on the server: wait for it, then look for an open transaction.
    for (;;) {
      const active = await server.sql<{ n: string }>(url, `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE ${others} AND state = 'active'`);
      if (Number(active[0]!.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const open = await server.sql<{ n: string }>(url, `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE ${others} AND state LIKE 'idle in transaction%'`);
    return Number(open[0]!.n) === 0;
  };
}

async function stalledRunTakenOver(location: string, unlocked: Unlocked): Promise<void> {
  const dir = tempDir();
  const file = space(dir);
  const storage = await openStorage(location);
  try {
    await takeover(location, file, dir, storage, unlocked);
  } finally {
    await storage.close();
  }
}

async function takeover(location: string, file: string, dir: string, storage: Storage, unlocked: Unlocked): Promise<void> {
  const a = start(['run', file, '--storage', location, '--workers', '2', '--heartbeat', '0.2'], STALLED_HOST);
  const ownedByA = (t: TrialDetail) => t.owner?.startsWith(`${STALLED_HOST}:${a.child.pid}:`) === true;
  const aPid = a.child.pid!;
  // A's two trials wait after their first step (no go-hpsearch-stalled yet): freeze A there, with no transaction open.
  let frozen: TrialDetail[];
  for (;;) {
    await until(storage, "A's two trials have stored their first step", (t) => t.filter((r) => r.state === 'running' && ownedByA(r) && r.steps.length > 0).length === 2);
    a.child.kill('SIGSTOP');
    frozen = (await trialsOf(storage)).filter((t) => t.state === 'running' && ownedByA(t) && t.steps.length > 0);
    if (frozen.length === 2 && (await unlocked())) break;
    a.child.kill('SIGCONT');
  }
  const numbers = frozen.map((t) => t.number).sort((x, y) => x - y);
  // B, on this host, with a budget of 2 trials: it waits for A's, finds them silent for 3 s,
  // requeues both and runs the first (held after its first step: no go-<this host> yet).
  const b = start(['run', file, '--storage', location, '--workers', '2', '--resume', '--trials', '2', '--heartbeat', '0.2', '--stale-after', '3']);
  const ownedByB = (t: TrialDetail) => t.owner?.startsWith(`${hostname()}:${b.child.pid}:`) === true;
  try {
    await until(storage, 'B runs the first taken-over trial and the second waits in the queue', (t) =>
      ownedByB(t[numbers[0]!]!) && t[numbers[0]!]!.steps.length === 1 && t[numbers[1]!]!.state === 'queued');
  } finally {
    // A wakes up, free to go on, holding two trials that are not its own any more.
    writeFileSync(join(dir, `go-${STALLED_HOST}`), '');
    a.child.kill('SIGCONT');
  }
  // A goes on with the rest of the study (including the queued trial, claimed anew) while B still holds the first.
  await until(storage, 'A has finished every trial but the one B holds', (t) =>
    t.length === TRIALS && t.filter((r) => r.number !== numbers[0] && r.state === 'complete').length === TRIALS - 1);
  writeFileSync(join(dir, `go-${hostname()}`), '');
  const [woken, taker] = await Promise.all([a.exited, b.exited]);
  for (const run of [woken, taker]) {
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(0);
  }
  // B requeued both of A's trials, at once or one by one (a trial A claimed after its last beat
  // is judged by its start, so the two may go silent at different moments).
  const requeued = [...taker.stderr.matchAll(new RegExp(`requeued \\d+ trials? left running by a run that died: ([\\d, ]+) of ${STALLED_HOST}:${aPid}:[0-9a-f]+ \\(no heartbeat\\)`, 'g'))]
    .flatMap((match) => match[1]!.split(', ').map(Number));
  expect(requeued.sort((x, y) => x - y)).toEqual(numbers);
  const dropped = woken.stderr.split('\n').filter((line) => /was taken over/.test(line));
  expect(dropped.sort()).toEqual(numbers.map((n) => `hpsearch: note: trial ${n} was taken over by another run (its heartbeats stopped); this run's result for it is dropped`));
  expect(woken.stderr).toMatch(/\b5 trials run in .* \(2 more taken over by another run, their results dropped\)/);

  const trials = await trialsOf(storage);
  expect(trials.map((t) => t.state)).toEqual(Array.from({ length: TRIALS }, () => 'complete'));
  // Every trial's curve is one run's, whole: all 8 steps, stamped with one pid.
  for (const trial of trials) {
    expect(trial.steps.map((s) => s.step), `trial ${trial.number}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(new Set(trial.steps.map((s) => s.values['pid'])), `trial ${trial.number}`).toEqual(new Set([trial.number === numbers[0] ? b.child.pid : aPid]));
  }
  expect(ownedByB(trials[numbers[0]!]!)).toBe(true);
  // The taken-over trials ran again with their own params.
  for (const taken of frozen) expect(trials[taken.number]!.params).toEqual(taken.params);
}

describe('a stalled run on another host, taken over (SQLite, real processes)', () => {
  it('SIGSTOP past --stale-after, takeover, SIGCONT: the old owner writes nothing into the trials it lost', async () => {
    const db = join(tempDir(), 'two.db');
    await stalledRunTakenOver(db, sqliteUnlocked(db));
  });
});

describePostgres('a stalled run on another host, taken over (PostgreSQL, real processes)', () => {
  const server = usePostgres();

  it('SIGSTOP past --stale-after, takeover, SIGCONT: the old owner writes nothing into the trials it lost', async () => {
    const url = await server().createDatabase();
    await stalledRunTakenOver(url, postgresUnlocked(server(), url));
    await server().dropDatabases();
  });
});
