/**
 * Packed runs (a kind with `pack`): trials claimed one by one, grouped by the kind's key, run as
 * one task per pack, each member judged, stored, stopped and given back as a trial alone. Real
 * worker threads and processes, real SQLite files; the packs are test/fixtures/kinds/pack-runner.mjs,
 * registered here as the `packer` kind (its key: the `shape` param; its auto size: 4).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { PackFormer } from '../../src/engine/packs.js';
import type { ClaimedTrial } from '../../src/engine/run-trial.js';
import { registerObjectiveKind, type ObjectiveKind } from '../../src/space/objective-kind.js';
import { createStudy } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import type { AskedTrial } from '../../src/study/trial.js';
import { REPO, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

interface PackerData {
  steps?: number;
  nanAbove?: number;
  hold?: string;
  mark?: string;
  die?: 'after-report';
  once?: string;
  /** In worker processes, as a native backend runs. */
  processes?: boolean;
  /** The most a pack may hold (the kind's memory bound). */
  limit?: number;
}

declare module '../../src/space/objective-kind.js' {
  interface ObjectiveSources {
    packer: { packer: PackerData };
  }
}

const RUNNER = pathToFileURL(join(REPO, 'test', 'fixtures', 'kinds', 'pack-runner.mjs')).href;

const packerKind: ObjectiveKind<PackerData, { packer: PackerData }> = {
  name: 'packer',
  schema: z.record(z.string(), z.unknown()),
  description: 'Test kind: pack-runner.mjs, packs keyed by the shape param.',
  nested: false,
  defaultMetric: 'score',
  check: (objective) => objective['packer'] as PackerData,
  workerProcesses: (options) => (options.packer.processes === true ? { env: {} } : undefined),
  plannedSteps: (data) => data.steps ?? 3,
  workerJob: (data) => ({ runner: RUNNER, data }),
  pack: {
    key: (_data, params) => (params['shape'] === 'alone' ? null : String(params['shape'] ?? 'one')),
    size: async (data, _options, _params, asked) => {
      const wanted = asked === 'auto' ? 4 : asked;
      const size = Math.min(wanted, data.limit ?? wanted);
      return { size, why: size < wanted ? `${size} (cut from ${wanted})` : `${size}` };
    },
    job: (data) => ({ runner: RUNNER, data }),
  },
};
registerObjectiveKind(packerKind as ObjectiveKind);

const tempDir = useTempDir();

type StudyParams = Parameters<typeof createStudy>[0]['params'];

function packStudy(name: string, trials: number, params: StudyParams = { x: { type: 'int', low: 0, high: 100 } }): Promise<Study> {
  return createStudy({ name, storage: join(tempDir(), `${name}.db`), direction: 'maximize', metric: 'score', seed: 3, search: { strategy: 'random', trials }, params });
}

/** The packs the trials ran in, from their attrs: each a sorted list of trial numbers. */
async function packsOf(study: Study): Promise<number[][]> {
  const packs = new Map<string, number[]>();
  for (const { number } of await study.trials()) {
    const pack = (await study.trial(number))!.attrs?.['pack'];
    if (typeof pack === 'string') packs.set(pack, pack.split(',').map(Number).sort((a, b) => a - b));
  }
  return [...packs.values()].sort((a, b) => a[0]! - b[0]!);
}

describe('packed runs in worker threads', () => {
  it('runs the budget in packs of the asked size, each member storing its own steps and value', async () => {
    const study = await packStudy('threads', 10);
    try {
      const summary = await study.optimize({ packer: {} }, { workers: 1, pack: 4 });
      expect(summary).toMatchObject({ ran: 10, failed: 0 });
      expect((await packsOf(study)).map((p) => p.length)).toEqual([4, 4, 2]);
      for (const { number } of await study.trials()) {
        const trial = (await study.trial(number))!;
        const x = trial.params['x'] as number;
        expect(trial.state).toBe('complete');
        expect(trial.steps.map((s) => s.values['score'])).toEqual([x + 1, x + 2, x + 3]);
        expect(trial.value).toBe(x + 3);
      }
    } finally {
      await study.close();
    }
  });

  it('packs only trials of one key: shapes split into packs of their own, and a trial whose key is null runs alone', async () => {
    const params: StudyParams = { x: { type: 'int', low: 0, high: 100 }, shape: { type: 'categorical', choices: ['a', 'b', 'alone'] } };
    const study = await packStudy('shapes', 24, params);
    try {
      await study.optimize({ packer: {} }, { workers: 2, pack: 'auto' });
      const shapeOf = new Map((await study.trials()).map((t) => [t.number, t.params['shape']]));
      const packs = await packsOf(study);
      expect(packs.flat().sort((a, b) => a - b)).toEqual([...shapeOf.keys()].sort((a, b) => a - b));
      for (const pack of packs) {
        expect(pack.length).toBeLessThanOrEqual(4);
        expect(new Set(pack.map((n) => shapeOf.get(n))).size).toBe(1);
        if (shapeOf.get(pack[0]!) === 'alone') expect(pack).toHaveLength(1);
      }
      // Shared packs happened at all (24 trials of 3 shapes).
      expect(packs.some((p) => p.length > 1)).toBe(true);
    } finally {
      await study.close();
    }
  });

  it('a member whose metric turns NaN is pruned and leaves its pack; the others train on to the end', async () => {
    const study = await packStudy('nan', 8);
    try {
      await study.optimize({ packer: { nanAbove: 50 } }, { workers: 1, pack: 8 });
      expect(await packsOf(study)).toHaveLength(1);
      const trials = await Promise.all((await study.trials()).map(async (t) => (await study.trial(t.number))!));
      const high = trials.filter((t) => (t.params['x'] as number) > 50);
      const low = trials.filter((t) => (t.params['x'] as number) <= 50);
      expect(high.length).toBeGreaterThan(0);
      expect(low.length).toBeGreaterThan(0);
      for (const t of high) expect({ state: t.state, steps: t.steps.length }).toEqual({ state: 'pruned', steps: 2 });
      for (const t of low) expect({ state: t.state, steps: t.steps.length, value: t.value }).toEqual({ state: 'complete', steps: 3, value: (t.params['x'] as number) + 3 });
    } finally {
      await study.close();
    }
  });

  it("members taken over by another run while the pack ran are dropped one by one; the pack goes on, and those put back run again", async () => {
    const dir = tempDir();
    const hold = join(dir, 'release');
    const mark = join(dir, 'marks');
    mkdirSync(mark);
    const study = await packStudy('taken', 3);
    try {
      const notes: string[] = [];
      const run = study.optimize({ packer: { hold, mark } }, { workers: 1, pack: 3, onNote: (n) => notes.push(n) });
      await waitUntil('the pack has stored its first steps', async () => readdirSync(mark).length === 3 && (await study.trial(2))!.steps.length > 0);
      // Another run found this one silent: it requeues the three, takes trial 0 and finishes it.
      const storage = study.storage;
      expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 })).toHaveLength(3);
      const other = (await storage.claimTrial(study.id, { maxTrials: 3, owner: 'elsewhere:7:feed' }))!;
      await storage.finishTrial(other, { state: 'complete', value: 0.123 });
      writeFileSync(hold, '');
      const summary = await run;
      expect(summary.takenOver).toBe(3);
      expect(notes.filter((n) => /taken over/.test(n))).toHaveLength(3);
      const trials = await study.trials();
      expect(trials.map((t) => t.state)).toEqual(['complete', 'complete', 'complete']);
      expect(trials[other.number]).toMatchObject({ value: 0.123, owner: 'elsewhere:7:feed' });
      // The two this run got back ran again from their first step, in a pack of their own.
      for (const t of trials.filter((t) => t.number !== other.number)) {
        const trial = (await study.trial(t.number))!;
        expect(trial.steps.map((s) => s.step)).toEqual([1, 2, 3]);
        expect(trial.owner).toBe(study.owner);
      }
    } finally {
      writeFileSync(hold, '');
      await study.close();
    }
  });

  it('TPE draws a pack from its next samples, the earlier members counted as running (constant liar): no two members alike', async () => {
    const study = await createStudy({
      name: 'tpe-pack', storage: join(tempDir(), 'tpe.db'), direction: 'maximize', metric: 'score', seed: 5,
      search: { strategy: 'tpe', trials: 16, startup_trials: 4 }, params: { x: { type: 'int', low: 0, high: 20 } },
    });
    try {
      await study.optimize({ packer: {} }, { workers: 1, pack: 6 });
      const packs = await packsOf(study);
      expect(packs.map((p) => p.length)).toEqual([6, 6, 4]);
      const trials = await study.trials();
      // The packs after the first are TPE's (the first holds the 4 random startup draws, which may repeat on 21 values).
      const modelled = packs.slice(1);
      for (const pack of modelled) {
        expect(pack.every((n) => trials[n]!.samplerState?.['phase'] === 'tpe')).toBe(true);
        const xs = pack.map((n) => trials[n]!.params['x']);
        expect(new Set(xs).size).toBe(xs.length);
      }
    } finally {
      await study.close();
    }
  });

  it('pack off, or a pack of 1, runs every trial alone', async () => {
    const study = await packStudy('off', 5);
    try {
      await study.optimize({ packer: {} }, { workers: 2, pack: 'off' });
      expect((await packsOf(study)).map((p) => p.length)).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await study.close();
    }
  });

  it('a pack size over the kind\'s bound is cut to it, and the run says so', async () => {
    const study = await packStudy('limit', 6);
    const notes: string[] = [];
    try {
      await study.optimize({ packer: { limit: 2 } }, { workers: 1, pack: 6, onNote: (n) => notes.push(n) });
      expect((await packsOf(study)).map((p) => p.length)).toEqual([2, 2, 2]);
      expect(notes).toContain('pack: 2 (cut from 6)');
    } finally {
      await study.close();
    }
  });

  it('a pack size for an objective that cannot pack is a usage error naming the fix; auto just runs trials alone', async () => {
    const study = await packStudy('function', 3);
    try {
      await expect(study.optimize(() => 1, { pack: 4 })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/^pack 4: a function objective trains one trial at a time.*--pack off/) });
      expect(await study.counts()).toMatchObject({ complete: 0, running: 0, queued: 0 });
      expect(await study.optimize(() => 1, { pack: 'auto', workers: 1 })).toMatchObject({ ran: 3 });
    } finally {
      await study.close();
    }
  });
});

describe('packed runs in worker processes', () => {
  it('two processes run the exact budget in packs, claimed per trial', async () => {
    const study = await packStudy('processes', 7);
    try {
      const summary = await study.optimize({ packer: { processes: true } }, { workers: 2, pack: 3 });
      expect(summary).toMatchObject({ ran: 7, failed: 0 });
      expect(await study.counts()).toMatchObject({ complete: 7, running: 0, queued: 0 });
      const packs = await packsOf(study);
      expect(packs.flat()).toHaveLength(7);
      for (const pack of packs) expect(pack.length).toBeLessThanOrEqual(3);
      const pids = new Set(await Promise.all((await study.trials()).map(async (t) => (await study.trial(t.number))!.attrs?.['pid'])));
      expect(pids.size).toBe(2);
    } finally {
      await study.close();
    }
  });

  it('a pack whose process is killed mid-pack: every member goes back to the queue and runs again from the start', async () => {
    const study = await packStudy('killed-pack', 4);
    const notes: string[] = [];
    try {
      const summary = await study.optimize({ packer: { processes: true, die: 'after-report', once: tempDir() } }, { workers: 1, pack: 4, onNote: (n) => notes.push(n) });
      expect(summary).toMatchObject({ ran: 4, restarted: 4, failed: 0 });
      expect(notes.filter((n) => /during the pack of 4 trials it was training; it goes back to the queue/.test(n))).toHaveLength(4);
      for (const { number } of await study.trials()) {
        const trial = (await study.trial(number))!;
        expect(trial.steps.map((s) => s.step)).toEqual([1, 2, 3]);
        expect(trial.value).toBe((trial.params['x'] as number) + 3);
      }
    } finally {
      await study.close();
    }
  });

  it('after an interrupt, a pack still running when the grace period ends is stopped and all its members, and trials claimed for packs that never started, go back to the queue', async () => {
    const dir = tempDir();
    const mark = join(dir, 'marks');
    mkdirSync(mark);
    const study = await packStudy('grace-pack', 10);
    try {
      const interrupt = new AbortController();
      const run = study.optimize({ packer: { processes: true, hold: join(dir, 'never'), mark } }, { workers: 1, pack: 3, signal: interrupt.signal, graceMs: 200 });
      await waitUntil('a pack has reported its first step', () => readdirSync(mark).length === 3);
      interrupt.abort();
      const summary = await run;
      expect(summary).toMatchObject({ interrupted: true, ran: 0 });
      const counts = await study.counts();
      expect(counts).toMatchObject({ running: 0, complete: 0 });
      expect(counts.queued).toBeGreaterThanOrEqual(3);
      expect(summary.released).toBe(counts.queued);
      // Resumed, the study ends with its budget.
      expect(await study.optimize({ packer: { processes: true } }, { workers: 1, pack: 3 })).toMatchObject({ failed: 0 });
      expect(await study.counts()).toMatchObject({ complete: 10, running: 0, queued: 0 });
    } finally {
      await study.close();
    }
  });
});

describe('PackFormer', () => {
  const claimed = (number: number, shape: string): ClaimedTrial =>
    ({ trial: { number, params: { shape } } as unknown as AskedTrial, monitor: undefined as never, lost: new AbortController() }) as ClaimedTrial;
  const former = () => new PackFormer(3, (c) => (c.trial.params['shape'] === 'none' ? null : String(c.trial.params['shape'])));

  it('a group that reaches the size is a pack; a trial without a key is a pack of its own', () => {
    const f = former();
    expect(f.add(claimed(0, 'a'))).toBeNull();
    expect(f.add(claimed(1, 'b'))).toBeNull();
    expect(f.add(claimed(2, 'none'))!.map((c) => c.trial.number)).toEqual([2]);
    expect(f.add(claimed(3, 'a'))).toBeNull();
    expect(f.add(claimed(4, 'a'))!.map((c) => c.trial.number)).toEqual([0, 3, 4]);
    expect(f.waiting).toBe(1);
  });

  it('takeLargest takes the largest group, the oldest of equals; takeAll empties it', () => {
    const f = former();
    for (const [n, s] of [[0, 'a'], [1, 'b'], [2, 'b'], [3, 'c'], [4, 'c']] as const) f.add(claimed(n, s));
    expect(f.takeLargest()!.map((c) => c.trial.number)).toEqual([1, 2]);
    expect(f.takeLargest()!.map((c) => c.trial.number)).toEqual([3, 4]);
    expect(f.takeAll().map((c) => c.trial.number)).toEqual([0]);
    expect(f.takeLargest()).toBeNull();
    expect(f.waiting).toBe(0);
  });
});
