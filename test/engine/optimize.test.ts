import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { narrowingRound } from '../../src/samplers/narrowing.js';
import { createStudy } from '../../src/study/create.js';
import { HpsearchError } from '../../src/errors.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

const tempDir = useTempDir();

describe('optimize with module objectives in worker threads', () => {
  it('runs every grid point exactly once with 4 workers', async () => {
    const db = join(tempDir(), 'grid.db');
    const study = await createStudy({
      name: 'grid4',
      storage: db,
      direction: 'maximize',
      seed: 1,
      search: { strategy: 'grid' },
      params: {
        x: { type: 'int', low: 0, high: 9 },
        kind: { type: 'categorical', choices: ['a', 'b', 'c'] },
        lr: { type: 'float', low: 1e-4, high: 1e-1, log: true, grid: 4 },
      },
    });
    try {
      const summary = await study.optimize(join(OBJECTIVES, 'echo-params.mjs'), { workers: 4 });
      expect(summary.ran).toBe(120);
      expect(summary.workers).toBe(4);
      const trials = await study.trials();
      expect(trials).toHaveLength(120);
      expect(trials.every((t) => t.state === 'complete')).toBe(true);
      const points = new Set(trials.map((t) => JSON.stringify([t.params['x'], t.params['kind'], t.params['lr']])));
      expect(points.size).toBe(120);
      expect(new Set(trials.map((t) => t.params['lr']))).toEqual(new Set([1e-4, 1e-3, 1e-2, 1e-1]));
      // The objective returned x and reported it at step 0.
      const detail = await study.trial(7);
      expect(detail?.value).toBe(detail?.params['x']);
      expect(detail?.steps).toEqual([{ step: 0, values: { x: detail?.params['x'] } }]);
    } finally {
      await study.close();
    }
  });

  it('stores learning curves, final metrics and per-trial seeds', async () => {
    const db = join(tempDir(), 'curve.db');
    const study = await createStudy({
      name: 'curve',
      storage: db,
      direction: 'maximize',
      metric: 'val_accuracy',
      seed: 7,
      search: { strategy: 'random', trials: 6 },
      params: { lr: { type: 'float', low: 1e-6, high: 1e-2, log: true }, epochs: 4 },
    });
    try {
      await study.optimize(join(OBJECTIVES, 'curve.mjs'), { workers: 2 });
      const trials = await study.trials();
      expect(trials.map((t) => t.state)).toEqual(Array(6).fill('complete'));
      const seeds = new Set(trials.map((t) => t.seed));
      expect(seeds.size).toBe(6);
      for (const t of trials) {
        const detail = (await study.trial(t.number))!;
        expect(detail.steps.map((s) => s.step)).toEqual([0, 1, 2, 3]);
        expect(detail.steps[3]!.values['val_accuracy']).toBe(detail.value);
        // ctx.seed and ctx.number reached the worker and came back as final metrics.
        expect(detail.metrics).toEqual({ seed: detail.seed, number: detail.number });
      }
      const board = await study.leaderboard({ top: 3 });
      expect(board.map((r) => r.rank)).toEqual([1, 2, 3]);
      expect(board[0]!.value).toBeGreaterThanOrEqual(board[1]!.value!);
      expect(board[0]!.steps).toBe(4);
    } finally {
      await study.close();
    }
  });

  it('records throwing, NaN, non-number and worker-killing trials as failed and goes on', async () => {
    const db = join(tempDir(), 'fail.db');
    const study = await createStudy({
      name: 'failures',
      storage: db,
      direction: 'maximize',
      search: { strategy: 'grid' },
      params: { mode: { type: 'categorical', choices: ['ok', 'throw', 'nan', 'string', 'exit', 'bad-report', 'ok2'] } },
    });
    try {
      const summary = await study.optimize(join(OBJECTIVES, 'misbehaving.mjs'), { workers: 2 });
      expect(summary.ran).toBe(7);
      const byMode = new Map((await study.trials()).map((t) => [t.params['mode'], t]));
      expect(byMode.get('ok')?.state).toBe('complete');
      expect(byMode.get('ok2')?.state).toBe('complete');
      expect(byMode.get('throw')?.state).toBe('failed');
      expect(byMode.get('throw')?.error).toContain('boom from the objective');
      expect(byMode.get('nan')?.error).toBe('objective returned NaN');
      expect(byMode.get('string')?.error).toContain('objective returned "not a number"');
      expect(byMode.get('exit')?.state).toBe('failed');
      expect(byMode.get('exit')?.error).toMatch(/worker thread died/);
      expect(byMode.get('bad-report')?.error).toContain('metric "accuracy" is "high"');
      expect(summary.failed).toBe(5);
    } finally {
      await study.close();
    }
  });

  it('stops with E_OBJECTIVE when the module has no default export', async () => {
    const db = join(tempDir(), 'fatal.db');
    const study = await createStudy({
      name: 'fatal',
      storage: db,
      direction: 'minimize',
      search: { strategy: 'random', trials: 50 },
      params: { x: { type: 'float', low: 0, high: 1 } },
    });
    try {
      const run = study.optimize(join(OBJECTIVES, 'no-default.mjs'), { workers: 2 });
      await expect(run).rejects.toThrow(HpsearchError);
      await expect(run).rejects.toThrow(/must export a default function/);
      const counts = await study.counts();
      // It stopped at once instead of failing all 50 trials.
      expect(counts.failed).toBeGreaterThan(0);
      expect(counts.failed).toBeLessThanOrEqual(2);
      expect(counts.running).toBe(0);
    } finally {
      await study.close();
    }
  });

  it('gives the same params to the same trial numbers for the same seed', async () => {
    const runOnce = async (name: string, seed: number) => {
      const study = await createStudy({
        name,
        storage: join(tempDir(), `${name}.db`),
        direction: 'maximize',
        seed,
        search: { strategy: 'random', trials: 12 },
        params: {
          x: { type: 'float', low: 1e-5, high: 1, log: true },
          n: { type: 'int', low: 1, high: 100 },
          c: { type: 'categorical', choices: ['a', 'b', 'c'] },
        },
      });
      try {
        await study.optimize(join(OBJECTIVES, 'echo-params.mjs'), { workers: 2 });
        return (await study.trials()).sort((a, b) => a.number - b.number).map((t) => t.params);
      } finally {
        await study.close();
      }
    };
    const a = await runOnce('a', 42);
    const b = await runOnce('b', 42);
    const c = await runOnce('c', 43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('optimize with function objectives and ask / tell', () => {
  it('runs a function objective on this thread and ranks by direction', async () => {
    const study = await createStudy({
      name: 'fn',
      storage: join(tempDir(), 'fn.db'),
      direction: 'minimize',
      seed: 3,
      search: { strategy: 'random', trials: 20 },
      params: { x: { type: 'float', low: -5, high: 5 } },
    });
    try {
      const summary = await study.optimize(async (params, ctx) => {
        const x = params['x'] as number;
        ctx.report(0, { x });
        return (x - 1) ** 2;
      }, { workers: 3 });
      expect(summary.ran).toBe(20);
      const board = await study.leaderboard({ top: 20 });
      expect(board).toHaveLength(20);
      const values = board.map((r) => r.value!);
      expect(values).toEqual([...values].sort((p, q) => p - q));
      expect(summary.best).toBe(values[0]);
    } finally {
      await study.close();
    }
  });

  it('continues a study up to the new budget, never beyond', async () => {
    const db = join(tempDir(), 'resume.db');
    const options = {
      name: 'resume',
      storage: db,
      direction: 'maximize' as const,
      seed: 5,
      search: { strategy: 'random', trials: 10 },
      params: { x: { type: 'float', low: 0, high: 1 } },
    };
    const first = await createStudy(options);
    await first.optimize((p) => p['x'] as number, { trials: 4, workers: 2 });
    await first.close();
    const again = await createStudy({ ...options, loadIfExists: true });
    try {
      const summary = await again.optimize((p) => p['x'] as number, { workers: 2 });
      expect(summary.ran).toBe(6);
      expect(summary.total).toBe(10);
      const more = await again.optimize((p) => p['x'] as number, { workers: 2 });
      expect(more.ran).toBe(0);
    } finally {
      await again.close();
    }
  });

  it('hands out trials with ask and stores what tell says', async () => {
    const study = await createStudy({
      name: 'asktell',
      storage: join(tempDir(), 'asktell.db'),
      direction: 'maximize',
      seed: 11,
      params: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } },
    });
    try {
      const t0 = (await study.ask())!;
      const t1 = (await study.ask())!;
      expect([t0.number, t1.number]).toEqual([0, 1]);
      expect(t0.params['lr']).toBeGreaterThanOrEqual(1e-4);
      await t0.report(0, { loss: 2 });
      await t0.report(1, { loss: 1 });
      await study.tell(t0, { value: 0.5, metrics: { loss: 1 } });
      await study.tell(t1.number, { state: 'failed', error: 'out of memory' });
      await expect(study.tell(t0, 0.7)).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
      const detail = (await study.trial(0))!;
      expect(detail.state).toBe('complete');
      expect(detail.steps).toEqual([
        { step: 0, values: { loss: 2 } },
        { step: 1, values: { loss: 1 } },
      ]);
      expect((await study.trial(1))!.error).toBe('out of memory');
      expect((await study.ask({ maxTrials: 2 }))).toBeNull();
    } finally {
      await study.close();
    }
  });
});

describe('narrowing search through optimize', () => {
  it('runs rounds in order across workers, each inside the span of the previous round\'s best', async () => {
    const study = await createStudy({
      name: 'narrow',
      storage: join(tempDir(), 'narrow.db'),
      direction: 'maximize',
      seed: 9,
      search: { strategy: 'narrowing', rounds: 3, trials_per_round: 12, keep_top: 3, margin: 0 },
      params: { x: { type: 'float', low: 1e-6, high: 1, log: true }, c: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] } },
    });
    try {
      // Best near x = 1e-3; trials end out of order, so round barriers are really exercised.
      const summary = await study.optimize(async (params) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        return -Math.abs(Math.log10(params['x'] as number) + 3);
      }, { workers: 4 });
      expect(summary.ran).toBe(36);
      const trials = await study.trials();
      for (const round of [1, 2]) {
        const previous = trials.filter((t) => narrowingRound(t) === round - 1);
        const current = trials.filter((t) => narrowingRound(t) === round);
        expect(previous).toHaveLength(12);
        expect(current).toHaveLength(12);
        // Every trial of a round started after the whole previous round had ended.
        const lastEnd = Math.max(...previous.map((t) => t.endedAt!));
        expect(Math.min(...current.map((t) => t.startedAt!))).toBeGreaterThanOrEqual(lastEnd);
        const top = [...previous].sort((a, b) => b.value! - a.value! || a.number - b.number).slice(0, 3);
        const xs = top.map((t) => t.params['x'] as number);
        const choices = new Set(top.map((t) => t.params['c']));
        for (const t of current) {
          expect(t.params['x']).toBeGreaterThanOrEqual(Math.min(...xs) * (1 - 1e-9));
          expect(t.params['x']).toBeLessThanOrEqual(Math.max(...xs) * (1 + 1e-9));
          expect(choices.has(t.params['c'])).toBe(true);
        }
      }
    } finally {
      await study.close();
    }
  });
});

describe('stopping a run', () => {
  it('gives back trials still waiting for their narrowing round, so a resumed run ends with the exact budget', async () => {
    const db = join(tempDir(), 'stop.db');
    const options = {
      name: 'stop',
      storage: db,
      direction: 'maximize' as const,
      seed: 4,
      search: { strategy: 'narrowing', rounds: 2, trials_per_round: 6, keep_top: 2 },
      params: { x: { type: 'float', low: 0, high: 1 } },
    };
    const first = await createStudy(options);
    const stop = new AbortController();
    const sampleIndices = async (state: 'running' | 'queued') => (await first.trials({ states: [state] })).map((t) => t.sampleIndex);
    const summary = await first.optimize(async (params, ctx) => {
      if (ctx.number === 5) {
        // Round 0's last trial: once the other lanes have claimed round-1 trials (6 and 7) and
        // wait for it, stop, and end only after they have given them back.
        await waitUntil('the other lanes have claimed trials 6 and 7', async () => {
          const running = await sampleIndices('running');
          return running.includes(6) && running.includes(7);
        });
        stop.abort();
        await waitUntil('the waiting lanes have given trials 6 and 7 back', async () => (await sampleIndices('queued')).length === 2);
      }
      return params['x'] as number;
    }, { workers: 3, signal: stop.signal });
    expect(summary.interrupted).toBe(true);
    const counts = await first.counts();
    expect(counts).toEqual({ queued: 2, running: 0, complete: 6, pruned: 0, failed: 0 });
    const released = await first.trials({ states: ['queued'] });
    expect(released.map((t) => t.sampleIndex).sort()).toEqual([6, 7]);
    await first.close();

    const again = await createStudy({ ...options, loadIfExists: true });
    try {
      // A budget that the queued trials alone fill still runs them.
      const queuedOnly = await again.optimize(async (params) => params['x'] as number, { workers: 3, trials: 8 });
      expect(queuedOnly.ran).toBe(2);
      const rest = await again.optimize(async (params) => params['x'] as number, { workers: 3 });
      expect(rest.interrupted).toBe(false);
      const trials = await again.trials();
      expect(trials).toHaveLength(12);
      expect(trials.every((t) => t.state === 'complete')).toBe(true);
      expect(trials.filter((t) => narrowingRound(t) === 1)).toHaveLength(6);
      expect(new Set(trials.map((t) => t.sampleIndex))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
    } finally {
      await again.close();
    }
  });
});
