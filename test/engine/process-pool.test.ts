/**
 * ProcessPoolExecutor on real child processes, each with its real piscina worker thread, running
 * the fixture runner test/fixtures/kinds/process-runner.mjs; the [native] block loads the real
 * tfjs-node addon in them.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessPoolExecutor, type ProcessPoolOptions } from '../../src/engine/process-pool.js';
import { HpsearchError } from '../../src/errors.js';
import type { ReportStep, SuggestParam, TrialHooks, TrialInfo, TrialOutcome } from '../../src/objectives/trial-run.js';
import { nativeWorkerProcesses } from '../../src/task/native-backend.js';
import { describeNative } from '../helpers/native.js';
import { REPO, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';
import { alive } from '../helpers/processes.js';

const RUNNER = pathToFileURL(join(REPO, 'test', 'fixtures', 'kinds', 'process-runner.mjs')).href;
const tempDir = useTempDir();

const pools: ProcessPoolExecutor[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A pool whose trials run process-runner.mjs with `data`; its stderr, less quiet lines, is collected. */
function poolOf(data: Record<string, unknown>, options: Partial<ProcessPoolOptions> = {}) {
  const stderr: string[] = [];
  const notes: string[] = [];
  const pool = new ProcessPoolExecutor(() => ({ runner: RUNNER, data }), {
    processes: 1,
    setup: { env: {} },
    stderr: (text) => stderr.push(text),
    onNote: (note) => notes.push(note),
    ...options,
  });
  pools.push(pool);
  return { pool, stderr, notes };
}

const trial = (number: number, x = number): TrialInfo => ({ study: 's', number, seed: number, params: { x } });
const noParams: SuggestParam = async (name) => {
  throw new HpsearchError('E_USAGE', `this test gives no params (asked for ${name})`);
};
/** Hooks that answer every report with `report` (default: go on). */
const reporting = (report: ReportStep): TrialHooks => ({ report, suggest: noParams });
const goOn = reporting(async () => false);
const pidOf = (outcome: TrialOutcome) => (outcome.attrs as { pid?: number } | undefined)?.pid;

describe('ProcessPoolExecutor (real worker processes)', () => {
  it('runs a trial in a process of its own, answers its reports in order, and keeps the process for the next', async () => {
    const { pool } = poolOf({ steps: 3 });
    const seen: [number, number][] = [];
    const first = await pool.run(trial(0, 10), reporting(async (step, metrics) => {
      seen.push([step, metrics['score']!]);
      return false;
    }));
    expect(first).toMatchObject({ status: 'complete', value: 13, reports: 3 });
    expect(seen).toEqual([[1, 11], [2, 12], [3, 13]]);
    expect(pidOf(first)).not.toBe(process.pid);
    // A stop decision ends the trial there.
    const second = await pool.run(trial(1), reporting(async (step) => step === 2));
    expect(second).toMatchObject({ status: 'stopped', reports: 2 });
    expect(pidOf(second)).toBe(pidOf(first));
  });

  it('relays the params a trial asks for to the run and its answers back, values and refusals with their codes, in the order asked', async () => {
    const { pool } = poolOf({
      steps: 1,
      suggest: [
        { name: 'lr', spec: { type: 'float', low: 0.001, high: 0.1, log: true } },
        { name: 'grid_only', spec: { type: 'int', low: 1, high: 3, log: false, step: 1 } },
        { name: 'act', spec: { type: 'categorical', choices: ['relu', null] } },
      ],
    });
    const asked: string[] = [];
    const outcome = await pool.run(trial(0), {
      report: async () => false,
      suggest: async (name, spec) => {
        asked.push(name);
        if (name === 'grid_only') throw new HpsearchError('E_USAGE', 'grid search needs a declared space');
        return spec.type === 'categorical' ? spec.choices[1]! : spec.high;
      },
    });
    expect(outcome).toMatchObject({ status: 'complete', value: 1 });
    expect(asked).toEqual(['lr', 'grid_only', 'act']);
    expect(outcome.attrs).toMatchObject({
      suggested: { lr: 0.1, act: null },
      refused: { grid_only: 'E_USAGE: grid search needs a declared space' },
    });
  });

  it("gives each process the setup's environment, where this process's own does not set the name", async () => {
    process.env['HPSEARCH_TEST_MINE'] = 'mine';
    try {
      const { pool } = poolOf(
        { envNames: ['HPSEARCH_TEST_SET', 'HPSEARCH_TEST_MINE'] },
        { setup: { env: { HPSEARCH_TEST_SET: 'set', HPSEARCH_TEST_MINE: 'theirs' } } },
      );
      const outcome = await pool.run(trial(0), goOn);
      expect(outcome.attrs).toMatchObject({ env: { HPSEARCH_TEST_SET: 'set', HPSEARCH_TEST_MINE: 'mine' } });
    } finally {
      delete process.env['HPSEARCH_TEST_MINE'];
    }
  });

  it('passes its stderr on line by line, less the lines the setup calls quiet', async () => {
    const { pool, stderr } = poolOf(
      {
        stderr: ['I0000 00:00:1796162727.224554    8586 port.cc:153] oneDNN custom operations are on.', 'the trial says hello'],
        // One line in three writes, and a quiet one in two.
        stderrChunks: ['a line ', 'in three ', 'writes\nNOISE: hal', 'f\n'],
        console: ["the trial's console.error"],
      },
      { setup: { env: {}, quiet: /^(I0000 |NOISE: )/ } },
    );
    await pool.run(trial(0), goOn);
    await pool.close();
    const lines = stderr.join('').split('\n');
    expect(lines.filter((line) => line !== "the trial's console.error")).toEqual(['the trial says hello', 'a line in three writes', '']);
    expect(lines).toContain("the trial's console.error");
    // Each line arrives whole.
    expect(stderr).toContain('a line in three writes\n');
  });

  it('kills the process of a cancelled trial and runs the next trial in a fresh one', async () => {
    const dir = tempDir();
    const mark = join(dir, 'marks');
    mkdirSync(mark);
    // Held after its first step until a file that never appears: only the cancel ends it.
    const { pool } = poolOf({ hold: join(dir, 'never'), mark });
    const cancel = new AbortController();
    const held = pool.run(trial(0), goOn, cancel.signal);
    await waitUntil('the held trial has reported its first step', () => readdirSync(mark).length === 1);
    const [heldPid] = readdirSync(mark).map((name) => Number(name.split('-')[1]));
    cancel.abort();
    expect(await held).toMatchObject({ status: 'failed', reports: 1 });
    expect(alive(heldPid!)).toBe(false);
    writeFileSync(join(dir, 'never'), '');
    const next = await pool.run(trial(1), goOn);
    expect(next.status).toBe('complete');
    expect(pidOf(next)).not.toBe(heldPid);
  });

  it('a process that dies during a trial it had reported in loses the trial (status lost); the next trial gets a new process', async () => {
    const { pool } = poolOf({ die: 'after-report', once: tempDir() });
    const seen: number[] = [];
    const lost = await pool.run(trial(0), reporting(async (step) => {
      seen.push(step);
      return false;
    }));
    expect(lost).toMatchObject({ status: 'lost', reports: 1, error: expect.stringMatching(/^worker process \d+ killed by SIGKILL during the trial$/) as unknown });
    expect(seen).toEqual([1]);
    // The same trial number again: the runner dies only the first time.
    const again = await pool.run(trial(0), goOn);
    expect(again).toMatchObject({ status: 'complete', value: 3 });
  });

  it('a process that dies before it ever reported fails the run with E_WORKER, its last stderr lines said; and every later trial too', async () => {
    const { pool } = poolOf({ die: 'at-start', stderr: ['loading the addon...'] });
    const failure = await pool.run(trial(0), goOn).then(
      () => null,
      (error: unknown) => error as HpsearchError,
    );
    expect(failure?.code).toBe('E_WORKER');
    expect(failure?.message).toMatch(
      /^worker process \d+ killed by SIGKILL before it reported anything for its first trial \(trial 0\): a worker that cannot start would fail every trial, so the run stops; its last lines on stderr:\n {2}loading the addon\.\.\.$/,
    );
    await expect(pool.run(trial(1), goOn)).rejects.toBe(failure);
  });

  it('a trial whose worker thread dies fails; its process, whose thread is gone, is replaced', async () => {
    const mark = tempDir();
    const { pool } = poolOf({ die: 'exit-thread', once: tempDir(), mark });
    const failed = await pool.run(trial(0), goOn);
    expect(failed).toMatchObject({ status: 'failed', fatal: false, reports: 1, error: expect.stringMatching(/^worker thread died during the trial/) as unknown });
    const [died] = readdirSync(mark).map((name) => Number(name.split('-')[1]));
    // The same trial again (the runner ends its thread the first time only) runs in a new process.
    const next = await pool.run(trial(0), goOn);
    expect(next.status).toBe('complete');
    expect(pidOf(next)).not.toBe(died);
    await waitUntil('the retired process has exited', () => !alive(died!));
  });

  it('a free process that dies is noted, and the next trial starts another', async () => {
    const { pool, notes } = poolOf({});
    const first = await pool.run(trial(0), goOn);
    process.kill(pidOf(first)!, 'SIGKILL');
    await waitUntil('the pool has seen the free process die', () => notes.length === 1);
    expect(notes[0]).toBe(`worker process ${pidOf(first)} killed by SIGKILL while it had no trial; a new one starts with the next trial`);
    const next = await pool.run(trial(1), goOn);
    expect(next.status).toBe('complete');
    expect(pidOf(next)).not.toBe(pidOf(first));
  });

  it('close() stops every process', async () => {
    const { pool } = poolOf({}, { processes: 2 });
    const outcomes = await Promise.all([pool.run(trial(0), goOn), pool.run(trial(1), goOn)]);
    const pids = outcomes.map(pidOf) as number[];
    expect(new Set(pids).size).toBe(2);
    await pool.close();
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});

describeNative('ProcessPoolExecutor on the native TensorFlow backend', () => {
  it('runs two trials at the same time in two processes, each loading the tfjs-node addon, set up by nativeWorkerProcesses', async () => {
    const meet = tempDir();
    const names = ['TF_CPP_MIN_LOG_LEVEL', 'TF_ENABLE_ONEDNN_OPTS', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'OMP_NUM_THREADS'];
    const setup = nativeWorkerProcesses(2, 2);
    const { pool, stderr } = poolOf({ native: true, meet, envNames: names }, { processes: 2, setup });
    // Each waits in `meet` for the other's pid: neither ends unless both run at once.
    const outcomes = await Promise.all([pool.run(trial(0, 1), goOn), pool.run(trial(1, 2), goOn)]);
    expect(outcomes.map((o) => o.status)).toEqual(['complete', 'complete']);
    expect(new Set(outcomes.map(pidOf)).size).toBe(2);
    expect(readdirSync(meet).sort()).toEqual(outcomes.map((o) => String(pidOf(o))).sort());
    for (const [i, outcome] of outcomes.entries()) {
      expect(outcome.attrs).toMatchObject({
        backend: 'tensorflow',
        sum: i + 2,
        env: { TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '1', TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMP_NUM_THREADS: '1' },
      });
    }
    await pool.close();
    // TensorFlow's own lines (the oneDNN notice, printed whatever the log level) are not passed on.
    expect(stderr.join('')).toBe('');
  });

  it('after a cancel, the fresh process loads the addon again', async () => {
    const dir = tempDir();
    const mark = join(dir, 'marks');
    mkdirSync(mark);
    const { pool } = poolOf({ native: true, hold: join(dir, 'release'), mark }, { setup: nativeWorkerProcesses(1, 2) });
    const cancel = new AbortController();
    const held = pool.run(trial(0), goOn, cancel.signal);
    await waitUntil('the held trial has reported its first step', () => readdirSync(mark).length === 1);
    cancel.abort();
    await held;
    writeFileSync(join(dir, 'release'), '');
    const next = await pool.run(trial(1), goOn);
    expect(next).toMatchObject({ status: 'complete', attrs: { backend: 'tensorflow', sum: 2 } });
  });
});
