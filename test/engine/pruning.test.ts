import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStudy, type CreateStudyOptions } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import type { TrialEndEvent } from '../../src/engine/optimize.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const KNOWN = join(OBJECTIVES, 'known-curves.mjs');

/** A grid over named curves (test/fixtures/objectives/known-curves.mjs), run in this order on one worker. */
async function curvesStudy(name: string, curves: string[], extra: Partial<CreateStudyOptions> = {}, params: Record<string, unknown> = {}): Promise<Study> {
  return createStudy({
    name,
    storage: join(tempDir(), `${name}.db`),
    direction: 'maximize',
    metric: 'acc',
    seed: 1,
    search: { strategy: 'grid' },
    params: { curve: { type: 'categorical', choices: curves }, ...params },
    divergence: false,
    ...extra,
  });
}

async function ends(study: Study) {
  const trials = await study.trials();
  return Promise.all(
    trials.map(async (t) => {
      const detail = (await study.trial(t.number))!;
      return { curve: t.params['curve'], state: t.state, value: t.value, steps: detail.steps.map((s) => s.step), error: t.error, attrs: t.attrs };
    }),
  );
}

describe('pruning and stopping in the run loop (module objective, worker thread)', () => {
  it('successive halving prunes a trial behind the best at the first rung, at exactly that step, and keeps its curve', async () => {
    const study = await curvesStudy('asha', ['good', 'poor', 'fair'], {
      pruner: { type: 'asha', min_resource: 2, reduction_factor: 3, max_resource: 5 },
    });
    try {
      const events: TrialEndEvent[] = [];
      const summary = await study.optimize(KNOWN, { workers: 1, onTrialEnd: (e) => events.push(e) });
      // Rungs at steps 2 (and 6, past max_resource 5). good runs first and is promoted (the best
      // so far); poor (0.2 < 0.6) and fair (0.5 < 0.6) are not in the top 1 of 2 and 3.
      expect(await ends(study)).toMatchObject([
        { curve: 'good', state: 'complete', value: 0.9, steps: [1, 2, 3, 4, 5], error: null },
        { curve: 'poor', state: 'pruned', value: 0.2, steps: [1, 2], attrs: { stopped_at: 2 } },
        { curve: 'fair', state: 'pruned', value: 0.5, steps: [1, 2], attrs: { stopped_at: 2 } },
      ]);
      const pruned = (await study.trials()).find((t) => t.number === 1)!;
      expect(pruned.error).toMatch(/^successive halving: rung 0 \(step 2\)/);
      expect(summary).toMatchObject({ ran: 3, pruned: 2, stoppedEarly: 0, failed: 0, stepsTrained: 9, stepsPlanned: 15 });
      expect(events.map((e) => [e.number, e.state, e.steps, e.stepsTrained])).toEqual([
        [0, 'complete', 5, 5],
        [1, 'pruned', 2, 7],
        [2, 'pruned', 2, 9],
      ]);
      expect(events[0]!.reason).toBeNull();
      expect(events[1]!.reason).toBe(pruned.error);
    } finally {
      await study.close();
    }
  });

  it('a decision binds even when the objective never checks it: later reports are not stored', async () => {
    const study = await curvesStudy('binding', ['good', 'poor'], { pruner: { type: 'asha', min_resource: 1, max_resource: 5 } }, { ignore_prune: true });
    try {
      const summary = await study.optimize(KNOWN, { workers: 1 });
      expect(await ends(study)).toMatchObject([
        { curve: 'good', state: 'complete', steps: [1, 2, 3, 4, 5] },
        { curve: 'poor', state: 'pruned', value: 0.1, steps: [1] },
      ]);
      expect(summary.stepsTrained).toBe(6);
    } finally {
      await study.close();
    }
  });

  it('the median pruner waits for its start-up trials, then prunes below the median', async () => {
    const study = await curvesStudy('median', ['good', 'fair', 'poor'], {
      pruner: { type: 'median', startup_trials: 2, warmup_steps: 3 },
    });
    try {
      await study.optimize(KNOWN, { workers: 1 });
      // poor at step 3: best so far 0.3 < median(0.7, 0.6) = 0.65; steps 1-2 are warm-up.
      expect(await ends(study)).toMatchObject([
        { curve: 'good', state: 'complete', steps: [1, 2, 3, 4, 5] },
        { curve: 'fair', state: 'complete', steps: [1, 2, 3, 4, 5] },
        { curve: 'poor', state: 'pruned', value: 0.3, steps: [1, 2, 3] },
      ]);
    } finally {
      await study.close();
    }
  });

  it('divergence rules prune at the step a metric turns NaN or the loss passes factor × its first value', async () => {
    const study = await curvesStudy('diverge', ['explodes', 'nan', 'good'], { divergence: { monitor: 'loss', factor: 3 } });
    try {
      const summary = await study.optimize(KNOWN, { workers: 1 });
      const [explodes, nan, good] = await ends(study);
      expect(explodes).toMatchObject({ state: 'pruned', steps: [1, 2, 3], value: 0.3, attrs: { stopped_at: 3 } });
      expect(explodes!.error).toMatch(/^diverged: loss 4 is over 3 × its first value 1 \(step 1\) at step 3/);
      expect(nan).toMatchObject({ state: 'pruned', steps: [1, 2], value: null, attrs: { stopped_at: 2 } });
      expect(nan!.error).toMatch(/^diverged: acc is NaN at step 2/);
      expect(good).toMatchObject({ state: 'complete', steps: [1, 2, 3, 4, 5] });
      expect(summary.pruned).toBe(2);
    } finally {
      await study.close();
    }
  });

  it('early stopping ends a trial after `patience` steps without improvement; restore_best takes the best step\'s value', async () => {
    for (const restoreBest of [true, false]) {
      const study = await curvesStudy(`early-${restoreBest}`, ['plateau', 'good'], {
        early_stopping: { monitor: 'loss', mode: 'min', patience: 3, restore_best: restoreBest },
      });
      try {
        const summary = await study.optimize(KNOWN, { workers: 1 });
        const [plateau, good] = await ends(study);
        // Best loss 0.4 at step 2; steps 3, 4, 5 do not beat it: stop after step 5.
        expect(plateau).toMatchObject({
          state: 'complete',
          steps: [1, 2, 3, 4, 5],
          value: restoreBest ? 0.6 : 0.58,
          attrs: { best_step: 2, stopped_at: 5 },
        });
        expect(plateau!.attrs!['stop_reason']).toMatch(/^early stopping: loss/);
        expect(good).toMatchObject({ state: 'complete', value: 0.9, steps: [1, 2, 3, 4, 5], attrs: { best_step: 5 } });
        expect(summary).toMatchObject({ stoppedEarly: 1, pruned: 0 });
      } finally {
        await study.close();
      }
    }
  });
});

describe('pruning with a function objective on this thread', () => {
  it('answers ctx.shouldPrune() and stores the trial as pruned', async () => {
    const study = await createStudy({
      name: 'fn',
      storage: ':memory:',
      direction: 'minimize',
      metric: 'loss',
      seed: 3,
      search: { strategy: 'grid' },
      params: { slope: { type: 'categorical', choices: [1, 4] } },
      pruner: { type: 'successive_halving', min_resource: 1, max_resource: 4 },
    });
    const checked: boolean[] = [];
    try {
      await study.optimize(
        async (params, ctx) => {
          let loss = 0;
          for (let step = 1; step <= 4; step++) {
            loss = (params['slope'] as number) / step;
            ctx.report(step, { loss });
            const stop = await ctx.shouldPrune();
            checked.push(stop);
            if (stop) break;
          }
          return loss;
        },
        { workers: 1 },
      );
      const trials = await study.trials();
      expect(trials.map((t) => [t.params['slope'], t.state, t.value])).toEqual([
        [1, 'complete', 0.25],
        [4, 'pruned', 4],
      ]);
      expect(checked).toEqual([false, false, false, false, true]);
    } finally {
      await study.close();
    }
  });
});
