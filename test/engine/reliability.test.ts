import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { TrialFinish, TrialLease } from '../../src/storage/storage.js';
import { createStudy, type StorageOption } from '../../src/study/create.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tempDir = useTempDir();
const MISBEHAVING = join(OBJECTIVES, 'misbehaving.mjs');
const RAMP = join(OBJECTIVES, 'ramp.mjs');

describe('failures inside trials (module objectives, real worker threads)', () => {
  it('--max-failures: stops dispatching after N failed trials, with a message that says what to do', async () => {
    const study = await createStudy({
      name: 'failing',
      storage: join(tempDir(), 'f.db'),
      direction: 'maximize',
      search: { strategy: 'random', trials: 20 },
      params: { mode: 'throw' },
    });
    try {
      await expect(study.optimize(MISBEHAVING, { workers: 1, maxFailures: 3 })).rejects.toMatchObject({
        code: 'E_OBJECTIVE',
        message: expect.stringMatching(/^stopped after 3 failed trials \(--max-failures 3\); the last one \(trial 2\): .*boom from the objective.*Fix the objective, or raise --max-failures$/s),
      });
      expect(await study.counts()).toMatchObject({ failed: 3, complete: 0, running: 0, queued: 0 });
    } finally {
      await study.close();
    }
  });

  it('a trial that runs out of memory fails with that reason; its worker is replaced and the next trial runs', async () => {
    const study = await createStudy({
      name: 'oom',
      storage: join(tempDir(), 'oom.db'),
      direction: 'maximize',
      search: { strategy: 'grid' },
      params: { mode: { type: 'categorical', choices: ['oom', 'ok'] } },
    });
    try {
      const summary = await study.optimize(MISBEHAVING, { workers: 1, workerMemoryMb: 32 });
      expect(summary).toMatchObject({ ran: 2, failed: 1 });
      const [oom, ok] = await study.trials();
      expect(oom).toMatchObject({ state: 'failed', params: { mode: 'oom' } });
      expect(oom!.error).toMatch(/^the trial ran out of memory \(.*\); its worker thread was replaced\. .*--worker-memory$/);
      expect(ok).toMatchObject({ state: 'complete', value: 1 });
    } finally {
      await study.close();
    }
  });
});

describe('interrupts: the grace period', () => {
  it('stops trials still running when the grace period ends and puts them back in the queue, curves deleted', async () => {
    const dir = tempDir();
    const hold = join(dir, 'release');
    const study = await createStudy({
      name: 'grace',
      storage: join(dir, 'g.db'),
      direction: 'maximize',
      seed: 1,
      search: { strategy: 'random', trials: 6 },
      // Held after step 0 until `hold` exists: however long the grace period or a stall of this
      // process, only the grace period's end can stop them.
      params: { x: { type: 'float', low: 0, high: 1 }, epochs: 9, hold },
    });
    try {
      const interrupt = new AbortController();
      const run = study.optimize(RAMP, { workers: 2, signal: interrupt.signal, graceMs: 200 });
      // Interrupt once both running trials have stored a step.
      await waitUntil('both running trials have stored a step', async () => {
        const running = await study.trials({ states: ['running'] });
        const withSteps = await Promise.all(running.map(async (t) => (await study.trial(t.number))!.steps.length));
        return withSteps.length === 2 && withSteps.every((n) => n > 0);
      });
      interrupt.abort();
      const summary = await run;
      // Without the grace period's end both would have waited for their release: they were stopped instead.
      expect(summary).toMatchObject({ interrupted: true, released: 2, ran: 0 });
      const trials = await study.trials();
      expect(trials.map((t) => t.state)).toEqual(['queued', 'queued']);
      for (const t of trials) expect((await study.trial(t.number))!.steps).toEqual([]);

      // A resume runs them again, as the same draws (indices 0 and 1), to the end.
      writeFileSync(hold, '');
      const quick = await study.optimize(RAMP, { workers: 2, trials: 2 });
      expect(quick).toMatchObject({ ran: 2, released: 0 });
      const done = await study.trials();
      expect(done.map((t) => [t.number, t.sampleIndex, t.state])).toEqual([[0, 0, 'complete'], [1, 1, 'complete']]);
    } finally {
      await study.close();
    }
  });
});

describe('runs that die: heartbeats and recovery', () => {
  it("waits for another run's trial while it beats, and takes it over once it has been silent for staleAfterMs", async () => {
    const db = join(tempDir(), 's.db');
    const study = await rampStudy({ name: 'stale', storage: db, seed: 3, trials: 4, epochs: 2 });
    try {
      const storage = study.storage;
      // Two trials of other runs on other hosts: one keeps beating, one went silent.
      const claim = async (owner: string) => {
        const c = (await storage.claimTrial(study.id, { maxTrials: 4, owner }))!;
        await storage.setTrialParams(c, { params: { x: 0.5, epochs: 2 } });
        await storage.reportStep(c, 0, { val_accuracy: 0.1 });
        return c;
      };
      const alive = await claim('elsewhere:1');
      const silent = await claim('elsewhere:2');
      // The silent run's last beat is set in storage, ten minutes back: far past staleAfterMs
      // without waiting for it. The beating run's trial would have to be silent for a whole
      // minute to look dead, which no stall of this process (that sends its beats) comes near.
      const staleAfterMs = 60_000;
      lastBeatAt(db, 'elsewhere:2', Date.now() - 10 * staleAfterMs);
      const beating = setInterval(() => void storage.heartbeat('elsewhere:1'), 100);
      const notes: string[] = [];
      let settled = false;
      const run = study
        .optimize(RAMP, { workers: 1, heartbeatMs: 100, staleAfterMs, onNote: (n) => notes.push(n) })
        .finally(() => (settled = true));
      try {
        // The live run finishes its trial once this run has run all the others, and is waiting
        // for it; the dead one never does.
        await waitUntil('this run has finished the three trials it can run', async () => (await study.counts()).complete === 3);
        expect(settled).toBe(false);
        expect((await study.trial(alive.number))!).toMatchObject({ state: 'running', owner: 'elsewhere:1' });
      } finally {
        clearInterval(beating);
      }
      await storage.finishTrial(alive, { state: 'complete', value: 0.42 });
      const summary = await run;
      // This run ran the two new trials and the silent one's; the beating one was left alone.
      expect(summary).toMatchObject({ ran: 3, recovered: 1 });
      expect(notes.join('\n')).toMatch(/requeued 1 trial left running by a run that died: 1 of elsewhere:2 \(no heartbeat\)/);
      const trials = await study.trials();
      expect(trials.map((t) => [t.number, t.state])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete'], [3, 'complete']]);
      expect(trials[alive.number]!.value).toBe(0.42);
      expect(trials[silent.number]!.owner).toBe(study.owner);
      // Re-run from its first step: the dead run's step 0 was deleted, then reported anew.
      expect((await study.trial(silent.number))!.steps.map((s) => s.step)).toEqual([0, 1]);
      expect(new Set(trials.map((t) => t.sampleIndex)).size).toBe(4);
    } finally {
      await study.close();
    }
  });

  it("drops a trial another run took over while it stalled: the old claim's reports and result are refused, the new owner's stand", async () => {
    const dir = tempDir();
    const hold = join(dir, 'release');
    // Held after step 0 until `hold` exists, so trial 0 is surely still running when "another run" takes it over.
    const study = await rampStudy({ name: 'taken', storage: join(dir, 't.db'), seed: 2, trials: 3, epochs: 6, hold });
    try {
      const notes: string[] = [];
      const run = study.optimize(RAMP, { workers: 1, onNote: (n) => notes.push(n) });
      await waitUntil('trial 0 is running and has stored a step', async () => {
        const running = await study.trials({ states: ['running'] });
        return running.length === 1 && running[0]!.number === 0 && (await study.trial(0))!.steps.length > 0;
      });
      // Another run on another host found this run silent (as after a suspend): it takes trial 0
      // over, runs it and stores its result, while this run's worker still holds it.
      const storage = study.storage;
      expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 })).toHaveLength(1);
      const other = (await storage.claimTrial(study.id, { maxTrials: 3, owner: 'elsewhere:7:feed' }))!;
      expect(other.number).toBe(0);
      await storage.setTrialParams(other, { params: { x: 0.5, epochs: 6, hold } });
      await storage.reportStep(other, 0, { val_accuracy: 0.01 });
      await storage.finishTrial(other, { state: 'complete', value: 0.123 });
      writeFileSync(hold, '');
      const summary = await run;
      expect(notes.filter((n) => /taken over/.test(n))).toEqual([
        "trial 0 was taken over by another run (its heartbeats stopped); this run's result for it is dropped",
      ]);
      const trials = await study.trials();
      expect(trials.map((t) => [t.number, t.state])).toEqual([[0, 'complete'], [1, 'complete'], [2, 'complete']]);
      expect(trials[0]).toMatchObject({ value: 0.123, owner: 'elsewhere:7:feed' });
      // Only the new owner's step: none of this run's later reports got in.
      expect((await study.trial(0))!.steps).toEqual([{ step: 0, values: { val_accuracy: 0.01 } }]);
      expect(summary).toMatchObject({ ran: 2, takenOver: 1 });
    } finally {
      await study.close();
    }
  });

  it('learns from a beat that a trial was taken over, and stops its worker at once: it does not wait for the trial to report', async () => {
    const dir = tempDir();
    const hold = join(dir, 'never');
    // Held after step 0 until `hold` exists, which it does not until the test ends: only the beat can end this trial here.
    const study = await rampStudy({ name: 'beat-lost', storage: join(dir, 'b.db'), seed: 4, trials: 1, epochs: 3, hold });
    try {
      const notes: string[] = [];
      const run = study.optimize(RAMP, { workers: 1, heartbeatMs: 50, staleAfterMs: 60_000, onNote: (n) => notes.push(n) });
      await waitUntil('trial 0 has stored a step', async () => ((await study.trial(0))?.steps.length ?? 0) > 0);
      const storage = study.storage;
      await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 });
      const other = (await storage.claimTrial(study.id, { maxTrials: 1, owner: 'elsewhere:8:beef' }))!;
      await storage.finishTrial(other, { state: 'failed', error: 'the other run gave up' });
      const summary = await run;
      expect(summary).toMatchObject({ ran: 0, takenOver: 1 });
      expect(notes.join('\n')).toContain("trial 0 was taken over by another run (its heartbeats stopped); this run's result for it is dropped");
      expect(await study.trial(0)).toMatchObject({ state: 'failed', owner: 'elsewhere:8:beef', steps: [] });
    } finally {
      writeFileSync(hold, '');
      await study.close();
    }
  });

  it('takes over the trials of an owner whose pid is alive but whose heartbeat is stale (the pid may have been reused), and at once those of an earlier process with its own pid', async () => {
    const db = join(tempDir(), 'reuse.db');
    const study = await rampStudy({ name: 'reuse', storage: db, seed: 5, trials: 3, epochs: 2 });
    try {
      const storage = study.storage;
      // A live pid of this host (this process's parent), under another nonce: not this run's.
      const reused = `${hostname()}:${process.ppid}:0ldrun`;
      // This process's own pid under another nonce: an earlier process that had this pid, so surely dead.
      const earlier = `${hostname()}:${process.pid}:0ldrun`;
      for (const owner of [reused, earlier]) {
        const c = (await storage.claimTrial(study.id, { maxTrials: 3, owner }))!;
        await storage.setTrialParams(c, { params: { x: 0.5, epochs: 2 } });
        await storage.heartbeat(owner);
      }
      // The reused pid's run went silent ten minutes ago; the earlier process beat just now.
      const staleAfterMs = 60_000;
      lastBeatAt(db, reused, Date.now() - 10 * staleAfterMs);
      const notes: string[] = [];
      const summary = await study.optimize(RAMP, { workers: 1, staleAfterMs, onNote: (n) => notes.push(n) });
      expect(summary).toMatchObject({ ran: 3, recovered: 2 });
      expect(notes.join('\n')).toMatch(new RegExp(`0 of ${reused} \\(no heartbeat\\); 1 of ${earlier} \\(no longer running\\)`));
      expect((await study.trials()).map((t) => [t.state, t.owner])).toEqual([
        ['complete', study.owner], ['complete', study.owner], ['complete', study.owner],
      ]);
    } finally {
      await study.close();
    }
  });

  it('gives its running trials back before optimize() rejects, when storing a result fails (here: the storage fails during tell)', async () => {
    const dir = tempDir();
    const real = await openSqliteStorage(join(dir, 'tell.db'));
    // The real SQLite storage, with finishTrial failing for trial 1 as a full disk would fail it.
    let failing: number | null = null;
    const storage = new Proxy(real, {
      get(target, key, receiver) {
        if (key === 'finishTrial') {
          return async (lease: TrialLease, result: TrialFinish) => {
            if (lease.id === failing) throw new HpsearchError('E_STORAGE', 'disk I/O error while finishing a trial');
            return target.finishTrial(lease, result);
          };
        }
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const hold = join(dir, 'go');
    const study = await rampStudy({ name: 'tell-fails', storage, seed: 6, trials: 6, epochs: 3, hold });
    try {
      const run = study.optimize(RAMP, { workers: 2, staleAfterMs: 600_000 });
      await waitUntil('trials 0 and 1 are both running', async () => (await study.trials({ states: ['running'] })).length === 2);
      failing = (await study.trials({ states: ['running'] })).find((t) => t.number === 1)!.id;
      writeFileSync(hold, '');
      await expect(run).rejects.toMatchObject({ code: 'E_STORAGE', message: expect.stringContaining('disk I/O error') });
      // Nothing is left running for --stale-after: trial 1 is back in the queue, to run again with its params.
      const trials = await study.trials();
      expect(trials.filter((t) => t.state === 'running')).toEqual([]);
      expect(trials.find((t) => t.number === 1)).toMatchObject({ state: 'queued', owner: null });
      expect(trials.find((t) => t.number === 0)).toMatchObject({ state: 'complete' });
    } finally {
      await study.close();
      await real.close();
    }
  });
});

/**
 * A random study of ramp trials (objectives/ramp.mjs, x in [0, 1]); with `hold` (a file path),
 * each trial waits after its first step until that file exists.
 */
function rampStudy(options: { name: string; storage: StorageOption; seed: number; trials: number; epochs: number; hold?: string }) {
  const { name, storage, seed, trials, epochs, hold } = options;
  return createStudy({
    name, storage, direction: 'maximize', seed,
    search: { strategy: 'random', trials },
    params: { x: { type: 'float', low: 0, high: 1 }, epochs, ...(hold === undefined ? {} : { hold }) },
  });
}

/** Sets the last heartbeat of `owner`'s running trials in the SQLite file `db`, as if its run had gone silent at `at`. */
function lastBeatAt(db: string, owner: string, at: number): void {
  const sqlite = new Database(db);
  try {
    sqlite.prepare("UPDATE trials SET heartbeat_at = ? WHERE owner = ? AND state = 'running'").run(at, owner);
  } finally {
    sqlite.close();
  }
}
