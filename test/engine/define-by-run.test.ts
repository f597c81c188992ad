/**
 * Define-by-run through real worker threads (the module objective test/fixtures/objectives/
 * define-by-run.mjs, loaded from dist/ by `npm run build`'s worker entry) and on this thread
 * (the same function, given to study.optimize): what the trials ask for is stored with them,
 * drawn by the study's sampler on the main thread.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Objective } from '../../src/study/objective.js';
import { createStudy, type CreateStudyOptions } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const MODULE = join(OBJECTIVES, 'define-by-run.mjs');
const { default: defineByRun } = (await import(MODULE)) as { default: Objective };

const OPTIMIZERS = ['sgd', 'momentum', 'adam'];
const LR = { type: 'float', low: 1e-5, high: 1e-1, log: true };

/** A study in a fresh database of its own; closed after `body`. */
async function withStudy<T>(options: Partial<CreateStudyOptions>, body: (study: Study) => Promise<T>): Promise<T> {
  const study = await createStudy({
    name: 'dbr',
    storage: join(tempDir(), 'dbr.db'),
    direction: 'maximize',
    seed: 11,
    search: { strategy: 'random', trials: 12 },
    ...options,
  });
  try {
    return await body(study);
  } finally {
    await study.close();
  }
}

/** Every trial complete, its params exactly those the fixture asks for, in the order asked: momentum only for momentum. */
function expectAskedParams(trials: readonly TrialRecord[]): void {
  for (const trial of trials) {
    expect(trial.state, trial.error ?? '').toBe('complete');
    const { optimizer, momentum, lr, layers } = trial.params;
    expect(OPTIMIZERS).toContain(optimizer);
    expect(Object.keys(trial.params)).toEqual(['optimizer', ...(optimizer === 'momentum' ? ['momentum'] : []), 'lr', 'layers']);
    if (optimizer === 'momentum') {
      expect(momentum).toBeGreaterThanOrEqual(0.5);
      expect(momentum).toBeLessThanOrEqual(0.99);
    }
    expect(lr).toBeGreaterThanOrEqual(1e-5);
    expect(lr).toBeLessThanOrEqual(1e-1);
    expect([1, 2, 3, 4]).toContain(layers);
  }
}

describe('define-by-run in worker threads', () => {
  it('stores exactly the params each trial asked for, from a space with no params at all, and the objective sees them in ctx.params', async () => {
    await withStudy({}, async (study) => {
      const summary = await study.optimize(MODULE, { workers: 2 });
      expect(summary).toMatchObject({ ran: 12, failed: 0 });
      const trials = await study.trials();
      expectAskedParams(trials);
      for (const trial of trials) {
        // Nothing was declared; the context grew with every param asked (lr twice, once).
        expect(trial.metrics).toEqual({ given: 0, asked: Object.keys(trial.params).length, caught: 0 });
        expect((await study.trial(trial.number))!.steps).toEqual([{ step: 0, values: { lr: trial.params['lr'], layers: trial.params['layers'] } }]);
      }
      // Twelve trials of three optimizers: the branch was taken, and not taken.
      const optimizers = new Set(trials.map((t) => t.params['optimizer']));
      expect(optimizers.has('momentum') && optimizers.size > 1).toBe(true);
    });
  });

  it("random search gives an asked param what the same declaration in a space file draws for the trial (one stream per name)", async () => {
    const asked = await withStudy({}, async (study) => {
      await study.optimize(MODULE, { workers: 2 });
      return study.trials();
    });
    // The same seed, with optimizer and lr declared, run by an objective that asks for nothing.
    const declared = await withStudy({ params: { optimizer: { type: 'categorical', choices: OPTIMIZERS }, lr: LR } }, async (study) => {
      await study.optimize(join(OBJECTIVES, 'echo-params.mjs'), { workers: 2 });
      return study.trials();
    });
    expect(declared.map((t) => t.number)).toEqual(asked.map((t) => t.number));
    for (const [i, trial] of asked.entries()) {
      expect(trial.params['lr']).toBe(declared[i]!.params['lr']);
      expect(trial.params['optimizer']).toBe(declared[i]!.params['optimizer']);
    }
  });

  it('mixes declared params with asked ones: declared ones asked for with their distribution get the drawn value, conditions included', async () => {
    await withStudy({
      params: {
        units: { type: 'int', low: 8, high: 64 },
        optimizer: { type: 'categorical', choices: OPTIMIZERS },
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: 'momentum' } },
      },
    }, async (study) => {
      await study.optimize(MODULE, { workers: 2 });
      const trials = await study.trials();
      for (const trial of trials) {
        expect(trial.state, trial.error ?? '').toBe('complete');
        const momentum = trial.params['optimizer'] === 'momentum';
        // The space's draw first (in its order), then what was asked and not declared.
        expect(Object.keys(trial.params)).toEqual(['units', 'optimizer', ...(momentum ? ['momentum'] : []), 'lr', 'layers']);
        expect(trial.metrics?.['given']).toBe(momentum ? 3 : 2);
        expect(trial.metrics?.['asked']).toBe(Object.keys(trial.params).length);
      }
    });
  });

  it('fails a trial that asks for a param again with another range, with a message naming both; one that catches it goes on', async () => {
    await withStudy({ search: { strategy: 'random', trials: 2 }, params: { mode: 'other-range' } }, async (study) => {
      await study.optimize(MODULE, { workers: 1 });
      for (const trial of await study.trials()) {
        expect(trial.state).toBe('failed');
        expect(trial.error).toMatch(/asked for param "lr" as float in \[1e-4, 1\], log, but earlier as float in \[1e-5, 0\.1\], log \(and got [0-9.e-]+\): ask for a param with the same distribution every time/);
        // What it asked before the refusal is stored.
        expect(Object.keys(trial.params)).toEqual(['mode', 'optimizer', ...(trial.params['optimizer'] === 'momentum' ? ['momentum'] : []), 'lr']);
      }
    });
    await withStudy({ search: { strategy: 'random', trials: 1 }, params: { mode: 'caught' } }, async (study) => {
      await study.optimize(MODULE, { workers: 1 });
      const [trial] = await study.trials();
      expect(trial!.state).toBe('complete');
      expect(trial!.metrics?.['caught']).toBeGreaterThan(0);
      expect(trial!.params).toHaveProperty('layers');
    });
  });

  it('fails a trial at once for a wrong argument, with a TypeError naming the method and the argument', async () => {
    await withStudy({ search: { strategy: 'random', trials: 1 }, params: { mode: 'bad-args' } }, async (study) => {
      await study.optimize(MODULE, { workers: 1 });
      const [trial] = await study.trials();
      expect(trial!.state).toBe('failed');
      expect(trial!.error).toMatch(/^TypeError: ctx\.suggestFloat\("lr"\): low \(1\) must be <= high \(0\)/);
      expect(Object.keys(trial!.params)).toEqual(['mode', 'optimizer']);
    });
  });

  it("refuses a declared param where its when: does not hold, and a declared param asked with another distribution, naming both", async () => {
    await withStudy({
      search: { strategy: 'random', trials: 8 },
      params: {
        mode: 'always-momentum',
        optimizer: { type: 'categorical', choices: OPTIMIZERS },
        momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: 'momentum' } },
      },
    }, async (study) => {
      await study.optimize(MODULE, { workers: 2 });
      const trials = await study.trials();
      for (const trial of trials) {
        if (trial.params['optimizer'] === 'momentum') {
          expect(trial.state, trial.error ?? '').toBe('complete');
        } else {
          expect(trial.state).toBe('failed');
          expect(trial.error).toContain(
            `param "momentum" is declared in the space, and inactive in trial ${trial.number}: it exists only when optimizer = momentum, and here optimizer = "${String(trial.params['optimizer'])}"`,
          );
          expect(trial.params).not.toHaveProperty('momentum');
        }
      }
      expect(new Set(trials.map((t) => t.state))).toEqual(new Set(['complete', 'failed']));
    });
    await withStudy({ search: { strategy: 'random', trials: 1 }, params: { lr: { ...LR, low: 1e-4 } } }, async (study) => {
      await study.optimize(MODULE, { workers: 1 });
      const [trial] = await study.trials();
      expect(trial!.state).toBe('failed');
      expect(trial!.error).toContain('param "lr" is declared in the space as float in [1e-4, 0.1], log, but trial 0 asked for it as float in [1e-5, 0.1], log');
    });
  });

  it('grid search fails a trial that asks for a param the space does not declare, with the grid message', async () => {
    await withStudy({ search: { strategy: 'grid' }, params: { units: { type: 'int', low: 1, high: 2 } } }, async (study) => {
      await study.optimize(MODULE, { workers: 2 });
      const trials = await study.trials();
      expect(trials).toHaveLength(2);
      for (const trial of trials) {
        expect(trial.state).toBe('failed');
        expect(trial.error).toContain('grid search needs a declared space: the objective asked for param "optimizer", which the space\'s params do not list');
        expect(Object.keys(trial.params)).toEqual(['units']);
      }
    });
  });

  it('TPE models an asked param on the trials that asked for it: after the startup trials it leaves the random stream and finds the better region', async () => {
    const tpe = { strategy: 'tpe', trials: 30, startup_trials: 6 };
    const lrs = async (search: Record<string, unknown>) => withStudy({ search }, async (study) => {
      await study.optimize(MODULE, { workers: 1 });
      const trials = await study.trials();
      expectAskedParams(trials);
      return trials.map((t) => t.params['lr'] as number);
    });
    const byTpe = await lrs(tpe);
    const byRandom = await lrs({ strategy: 'random', trials: 30 });
    // The startup trials are random search's draws, the later ones TPE's own.
    expect(byTpe.slice(0, 6)).toEqual(byRandom.slice(0, 6));
    expect(byTpe.slice(6).every((lr, i) => lr !== byRandom[6 + i])).toBe(true);
    // It read the other trials' asked lr (the best is at 0.05): much closer on average than random's,
    // and than its own prior's (which centres on the middle of the log range, 1e-3).
    const distance = (values: number[]) => values.reduce((sum, lr) => sum + Math.abs(Math.log10(lr / 0.05)), 0) / values.length;
    expect(distance(byTpe.slice(6))).toBeLessThan(0.6 * distance(byRandom.slice(6)));
  });
});

describe('define-by-run on this thread (study.optimize with a function)', () => {
  it('gives a function objective the same params as the module, stored the same way', async () => {
    const inModule = await withStudy({}, async (study) => {
      await study.optimize(MODULE, { workers: 2 });
      return study.trials();
    });
    await withStudy({}, async (study) => {
      await study.optimize(defineByRun, { workers: 2 });
      const trials = await study.trials();
      expectAskedParams(trials);
      expect(trials.map((t) => t.params)).toEqual(inModule.map((t) => t.params));
    });
  });

  it('fails the trial with the message of a refused ask, as in a worker', async () => {
    await withStudy({ search: { strategy: 'grid' }, params: { units: 1 } }, async (study) => {
      await study.optimize(defineByRun, { workers: 1 });
      const [trial] = await study.trials();
      expect(trial!.state).toBe('failed');
      expect(trial!.error).toMatch(/^HpsearchError: grid search needs a declared space: the objective asked for param "optimizer"/);
    });
    await withStudy({ search: { strategy: 'random', trials: 1 }, params: { mode: 'other-range' } }, async (study) => {
      await study.optimize(defineByRun, { workers: 1 });
      const [trial] = await study.trials();
      expect(trial!.error).toMatch(/asked for param "lr" as float in \[1e-4, 1\], log, but earlier as float in \[1e-5, 0\.1\], log/);
    });
  });
});
