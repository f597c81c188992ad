/**
 * `hpsearch run --backend tensorflow --workers 2` on a small built-in task, as a user runs it:
 * the real CLI, its real worker processes and the real tfjs-node addon. A test that needs trials
 * still running freezes both worker processes (SIGSTOP) and only then reads the database: a
 * frozen process cannot finish its trial, so what it finds stays true until the test acts.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { TENSORFLOW_LOG_LINE } from '../../src/task/native-backend.js';
import { runCli } from '../helpers/cli.js';
import { BEST5_PARAMS, taskSpaceYaml } from '../helpers/spaces.js';
import { describeNative } from '../helpers/native.js';
import { CLI, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { alive } from '../helpers/processes.js';

const tempDir = useTempDir();
const EPOCHS = 30;

/** The best-5 setup shrunk to a few seconds a trial: `trials` trials of EPOCHS epochs. */
/** A best-5 style space whose trials each train alone in their process (`pack: off`): these tests follow one trial per process (packs: test/engine/packs.test.ts). */
function taskSpace(dir: string, study: string, trials: number): string {
  const file = join(dir, `${study}.yaml`);
  writeFileSync(file, taskSpaceYaml({ study, trials, epochs: EPOCHS, extra: ['divergence: false', 'pack: off'], params: [BEST5_PARAMS[0]!] }));
  return file;
}

/**
 * `hpsearch run` in the background; every child process it ever had is collected in `children`.
 * `group`: it leads a process group of its own, as a terminal's foreground job does, so that
 * `signalGroup` reaches it and its worker processes at once, as Ctrl-C at a terminal does.
 */
function startRun(args: string[], { group = false } = {}) {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, detached: group });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const children = new Set<number>();
  const watch = setInterval(() => {
    for (const pid of childrenOf(child.pid!)) children.add(pid);
  }, 20);
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearInterval(watch);
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    pid: child.pid!,
    children,
    exited,
    stderr: () => stderr,
    signal: (signal: NodeJS.Signals) => child.kill(signal),
    signalGroup: (signal: NodeJS.Signals) => process.kill(-child.pid!, signal),
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function loadsTensorFlow(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libtensorflow');
  } catch {
    return false;
  }
}

interface RunningTrial {
  number: number;
  steps: number;
}

function runningTrials(db: string): RunningTrial[] {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(db, { readonly: true, fileMustExist: true });
  } catch {
    return [];
  }
  try {
    return sqlite
      .prepare(
        `SELECT t.number AS number, (SELECT COUNT(DISTINCT s.step) FROM trial_steps s WHERE s.trial_id = t.id) AS steps
         FROM trials t WHERE t.state = 'running' ORDER BY t.number`,
      )
      .all() as RunningTrial[];
  } catch {
    // The run has not created its tables yet.
    return [];
  } finally {
    sqlite.close();
  }
}

/**
 * Waits until both worker processes of the run are in the middle of a trial, and leaves them
 * frozen there (SIGSTOP): two trials running at once, each with at least one epoch stored and
 * not its last one. A process waits for the answer to each epoch before training the next, so a
 * trial whose last epoch is not stored cannot have ended. Returns the two processes.
 */
async function freezeBothMidTrial(run: ReturnType<typeof startRun>, db: string): Promise<{ workers: number[]; trials: RunningTrial[] }> {
  let frozen: { workers: number[]; trials: RunningTrial[] } | null = null;
  await waitUntil(
    'both worker processes are in the middle of a trial',
    () => {
      const workers = childrenOf(run.pid);
      if (workers.length !== 2) return false;
      for (const pid of workers) process.kill(pid, 'SIGSTOP');
      const trials = runningTrials(db);
      if (trials.length === 2 && trials.every((t) => t.steps >= 1 && t.steps < EPOCHS)) {
        frozen = { workers, trials };
        return true;
      }
      for (const pid of workers) process.kill(pid, 'SIGCONT');
      return false;
    },
    { everyMs: 50, timeoutMs: 60_000 },
  );
  return frozen!;
}

function trialAttrs(db: string, study: string, number: number): Promise<{ state: string; attrs: Record<string, unknown>; steps: { step: number }[] }> {
  return runCli(['trial', study, String(number), '--db', db, '--format', 'json']).then((r) => JSON.parse(r.stdout) as never);
}

/** Lines of TensorFlow's C++ logging, or anything that names it as such. */
function tensorflowLogLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => TENSORFLOW_LOG_LINE.test(line) || /oneDNN|absl|cpu_feature_guard|This TensorFlow binary/.test(line));
}

describeNative('hpsearch run --backend tensorflow --workers 2', () => {
  it('runs two trials at once in two worker processes that load the addon, the run process never does; each trial on tensorflow; no TensorFlow log line', async () => {
    const dir = tempDir();
    const db = join(dir, 'n.db');
    const run = startRun([taskSpace(dir, 'two', 4), '--db', db, '--workers', '2', '--backend', 'tensorflow', '--format', 'json']);
    const { workers } = await freezeBothMidTrial(run, db);
    expect(workers.map(loadsTensorFlow)).toEqual([true, true]);
    expect(loadsTensorFlow(run.pid)).toBe(false);
    for (const pid of workers) process.kill(pid, 'SIGCONT');
    const { code, stdout, stderr } = await run.exited;
    expect(stderr).not.toMatch(/unexpected error/);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as { workers: number; backends: string[]; counts: Record<string, number>; restarted: number };
    expect(summary).toMatchObject({ workers: 2, backends: ['tensorflow'], restarted: 0, counts: { complete: 4, failed: 0, running: 0 } });
    for (const number of [0, 1, 2, 3]) expect((await trialAttrs(db, 'two', number)).attrs).toMatchObject({ backend: 'tensorflow' });
    expect(stderr).toMatch(/^hpsearch: note: the native TensorFlow backend loads in one thread per process: running 2 worker processes, \d+ TensorFlow threads? each/m);
    expect(tensorflowLogLines(stderr)).toEqual([]);
    // The run's worker processes are gone with it.
    for (const pid of run.children) expect(alive(pid)).toBe(false);
  });

  it('keeps the best trial\'s model from a worker process: it crosses the IPC channel whole, and evaluate (wasm, in the CLI) scores it as stored', async () => {
    const dir = tempDir();
    const db = join(dir, 'models.db');
    const run = await runCli(['run', taskSpace(dir, 'kept', 2), '--db', db, '--workers', '2', '--backend', 'tensorflow', '--save-models', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/models kept: 1 \(/);
    const [best] = JSON.parse((await runCli(['leaderboard', 'kept', '--db', db, '--format', 'json'])).stdout) as { number: number; value: number }[];
    const evaluated = await runCli(['evaluate', 'kept', '--db', db, '--format', 'json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const [scores] = JSON.parse(evaluated.stdout) as { number: number; val_accuracy: number }[];
    expect(scores!.number).toBe(best!.number);
    // Trained on TensorFlow, scored on wasm: float32 rounding may flip an example near a tie, no more.
    expect(Math.abs(scores!.val_accuracy - best!.value)).toBeLessThanOrEqual(0.02);
  });

  it('a worker process killed mid-trial is reported in one line and replaced; its trial runs again and the study ends with exactly its budget', async () => {
    const dir = tempDir();
    const db = join(dir, 'k.db');
    const run = startRun([taskSpace(dir, 'killed', 4), '--db', db, '--workers', '2', '--backend', 'tensorflow', '--format', 'json']);
    const { workers } = await freezeBothMidTrial(run, db);
    const [victim, other] = workers as [number, number];
    process.kill(victim, 'SIGKILL');
    process.kill(other, 'SIGCONT');
    const { code, stdout, stderr } = await run.exited;
    expect(code).toBe(0);
    const notes = stderr.split('\n').filter((line) => line.includes(`worker process ${victim} `));
    expect(notes).toHaveLength(1);
    const [, lost] = /^hpsearch: note: trial (\d+): worker process \d+ killed by SIGKILL during the trial; it goes back to the queue and runs again from the start, in a new worker process$/.exec(notes[0]!) ?? [];
    expect(lost).toBeDefined();
    const summary = JSON.parse(stdout) as { restarted: number; ran: number; counts: Record<string, number> };
    expect(summary).toMatchObject({ restarted: 1, ran: 4, counts: { complete: 4, failed: 0, queued: 0, running: 0 } });
    // Run again from the start, in a process started for it: its epochs are the new run's, each once.
    const trial = await trialAttrs(db, 'killed', Number(lost));
    expect(trial.state).toBe('complete');
    expect(trial.steps.map((s) => s.step)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    expect(run.children.size).toBe(3);
  });

  it('Ctrl-C: the trials still running when --grace runs out go back to the queue, their processes stopped', async () => {
    const dir = tempDir();
    const db = join(dir, 'c.db');
    const run = startRun([taskSpace(dir, 'interrupted', 4), '--db', db, '--workers', '2', '--backend', 'tensorflow', '--grace', '0.5']);
    // Frozen, they cannot finish within the grace period.
    const { workers, trials } = await freezeBothMidTrial(run, db);
    run.signal('SIGINT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted \(2 unfinished trials went back to the queue\); continue with: hpsearch run .* --resume/);
    expect(runningTrials(db)).toEqual([]);
    const sqlite = new Database(db, { readonly: true });
    try {
      const queued = sqlite.prepare("SELECT number FROM trials WHERE state = 'queued' ORDER BY number").all() as { number: number }[];
      expect(queued.map((q) => q.number)).toEqual(trials.map((t) => t.number));
    } finally {
      sqlite.close();
    }
    for (const pid of workers) expect(alive(pid)).toBe(false);
  });

  it('Ctrl-C at a terminal signals the worker processes too: they train on through the grace period, and what they finish is stored', async () => {
    const dir = tempDir();
    const db = join(dir, 'g.db');
    const run = startRun([taskSpace(dir, 'group', 4), '--db', db, '--workers', '2', '--backend', 'tensorflow', '--grace', '60'], { group: true });
    const { workers, trials } = await freezeBothMidTrial(run, db);
    // The worker processes get their SIGINT as they wake: one that died of it would lose its trial.
    run.signalGroup('SIGINT');
    for (const pid of workers) process.kill(pid, 'SIGCONT');
    const { code, stderr } = await run.exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/^hpsearch: interrupted; continue with: hpsearch run .* --resume$/m);
    expect(stderr).not.toMatch(/worker process \d+ .*during the trial/);
    for (const { number } of trials) {
      const trial = await trialAttrs(db, 'group', number);
      expect(trial.state).toBe('complete');
      expect(trial.steps).toHaveLength(EPOCHS);
    }
  });

  it('--max-failures stops a run whose trials keep failing (here each runs out of its --worker-memory)', async () => {
    const dir = tempDir();
    const run = await runCli(['run', taskSpace(dir, 'failing', 6), '--db', join(dir, 'f.db'), '--workers', '2', '--backend', 'tensorflow', '--worker-memory', '16', '--max-failures', '2']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hpsearch: stopped after 2 failed trials \(--max-failures 2\); the last one \(trial \d\): the trial ran out of memory/m);
    expect(tensorflowLogLines(run.stderr)).toEqual([]);
  });
});
