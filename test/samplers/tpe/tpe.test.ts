import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStudy } from '../../../src/index.js';
import { RandomSampler } from '../../../src/samplers/random.js';
import type { PastTrial } from '../../../src/samplers/sampler.js';
import { TpeSampler, tpePhase } from '../../../src/samplers/tpe/tpe.js';
import type { Params, ParamSpecs, TpeSearch } from '../../../src/space/types.js';
import { useTempDir } from '../../helpers/temp.js';
import { makeSpace } from '../helpers.js';

const tpe = (fields: Partial<TpeSearch> = {}): TpeSearch => ({
  strategy: 'tpe', trials: 100, startupTrials: 10, eiCandidates: 24, multivariate: false, constantLiar: true,
  priorWeight: 1, considerMagicClip: true, considerEndpoints: false, ...fields,
});

const SPACE: ParamSpecs = {
  lr: { type: 'float', low: 1e-6, high: 1e-1, log: true },
  units: { type: 'int', low: 8, high: 128, log: false, step: 8 },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'elu'] },
  epochs: { type: 'fixed', value: 5 },
};

/** Runs `trials` draws one at a time, each told before the next (one worker), in memory. */
async function runSequential(sampler: TpeSampler | RandomSampler, trials: number, f: (p: Params) => number): Promise<PastTrial[]> {
  const history: PastTrial[] = [];
  for (let i = 0; i < trials; i++) {
    const sample = await sampler.sample({ index: i, number: i, history: async () => history.map((t) => ({ ...t })) });
    history.push({ number: i, state: 'complete', params: sample.params, value: f(sample.params), samplerState: sample.samplerState ?? {} });
  }
  return history;
}

/** A bowl in log lr around 1e-3, best at 64 units and tanh; minimised. */
const bowl = (p: Params) => (Math.log10(p['lr'] as number) + 3) ** 2 + ((p['units'] as number) - 64) ** 2 / 1000 + (p['act'] === 'tanh' ? 0 : 0.5);

describe('TpeSampler', () => {
  it('starts with random search\'s own draws, then models, recording the phase', async () => {
    const space = makeSpace(SPACE, tpe(), { seed: 3, direction: 'minimize' });
    const trials = await runSequential(new TpeSampler(space), 14, bowl);
    const random = new RandomSampler(makeSpace(SPACE, { strategy: 'random', trials: 10 }, { seed: 3 }));
    for (let i = 0; i < 10; i++) expect(trials[i].params).toEqual((await random.sample({ index: i, history: async () => [] })).params);
    expect(trials.map(tpePhase)).toEqual([...Array(10).fill('startup'), ...Array(4).fill('tpe')]);
    for (const t of trials.slice(10)) {
      expect(t.params['epochs']).toBe(5);
      expect(Number.isInteger(t.params['units']) && (t.params['units'] as number) % 8 === 0).toBe(true);
      expect(['relu', 'tanh', 'elu']).toContain(t.params['act']);
      expect(t.params['lr']).toBeGreaterThanOrEqual(1e-6);
      expect(t.params['lr']).toBeLessThanOrEqual(1e-1);
    }
  });

  it('counts complete and pruned trials towards the startup, not failed or running ones', async () => {
    const sampler = new TpeSampler(makeSpace(SPACE, tpe({ startupTrials: 3 }), { direction: 'minimize' }));
    const base = { params: { lr: 1e-3, units: 64, act: 'tanh', epochs: 5 }, samplerState: {} };
    const history: PastTrial[] = [
      { ...base, number: 0, state: 'complete', value: 1 },
      { ...base, number: 1, state: 'failed', value: null },
      { ...base, number: 2, state: 'running', value: null },
      { ...base, number: 3, state: 'pruned', value: 2, attrs: { stopped_at: 1 } },
    ];
    const draw = (h: PastTrial[]) => sampler.sample({ index: 9, number: 9, history: async () => h });
    expect((await draw(history)).samplerState).toEqual({ phase: 'startup' });
    expect((await draw([...history, { ...base, number: 4, state: 'pruned', value: 3, attrs: { stopped_at: 1 } }])).samplerState).toEqual({ phase: 'tpe' });
  });

  it('is deterministic by seed with one worker, and another seed draws otherwise', async () => {
    const run = async (seed: number) => (await runSequential(new TpeSampler(makeSpace(SPACE, tpe(), { seed, direction: 'minimize' })), 25, bowl)).map((t) => t.params);
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    const b = await run(12);
    expect(b.slice(10)).not.toEqual(a.slice(10));
  });

  it('multivariate draws are deterministic too and stay inside the space', async () => {
    const space = makeSpace(SPACE, tpe({ multivariate: true }), { seed: 5, direction: 'minimize' });
    const first = await runSequential(new TpeSampler(space), 20, bowl);
    expect((await runSequential(new TpeSampler(space), 20, bowl)).map((t) => t.params)).toEqual(first.map((t) => t.params));
    for (const t of first.slice(10)) expect(['relu', 'tanh', 'elu']).toContain(t.params['act']);
  });

  it('beats random search on a 1-D toy in most seeds', async () => {
    // Minimise (log10 x + 4.5)² on [1e-6, 1]: the good region is a narrow band of one decade in six.
    const toy: ParamSpecs = { x: { type: 'float', low: 1e-6, high: 1, log: true } };
    const f = (p: Params) => (Math.log10(p['x'] as number) + 4.5) ** 2;
    let wins = 0;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    for (const seed of seeds) {
      const best = async (sampler: TpeSampler | RandomSampler) => Math.min(...(await runSequential(sampler, 30, f)).map((t) => t.value!));
      const tpeBest = await best(new TpeSampler(makeSpace(toy, tpe(), { seed, direction: 'minimize' })));
      const randomBest = await best(new RandomSampler(makeSpace(toy, { strategy: 'random', trials: 30 }, { seed })));
      if (tpeBest < randomBest) wins++;
    }
    // A fixed seed set: the same count every run. Random search would win about half.
    expect(wins).toBeGreaterThanOrEqual(8);
  });

  it('refuses a space of another strategy', () => {
    expect(() => new TpeSampler(makeSpace(SPACE))).toThrow(/uses random search, not tpe/);
  });
});

describe('constant liar, through a study in SQLite', () => {
  const tempDir = useTempDir();

  /** Ten told trials, then four claims asked at once before any is told; the params of the four. */
  async function fourConcurrent(constantLiar: boolean, seed = 8): Promise<Params[]> {
    const study = await createStudy({
      name: `liar-${constantLiar}-${seed}`,
      storage: join(tempDir(), 'liar.db'),
      direction: 'minimize',
      seed,
      search: { strategy: 'tpe', trials: 20, constant_liar: constantLiar },
      params: { x: { type: 'int', low: 0, high: 7 } },
    });
    try {
      for (let i = 0; i < 10; i++) {
        const trial = (await study.ask())!;
        await study.tell(trial, ((trial.params['x'] as number) - 5) ** 2);
      }
      const running = [];
      for (let i = 0; i < 4; i++) running.push((await study.ask())!);
      expect((await study.counts()).running).toBe(4);
      return running.map((t) => t.params);
    } finally {
      await study.close();
    }
  }

  it('gives four concurrent trials four different points of an 8-point space', async () => {
    for (const seed of [1, 2, 3, 8]) {
      const points = (await fourConcurrent(true, seed)).map((p) => p['x']);
      expect(new Set(points).size, `seed ${seed}: ${points.join(', ')}`).toBe(4);
    }
  });

  it('without the liar the same claims pile onto one point (what the liar prevents)', async () => {
    const points = (await fourConcurrent(false)).map((p) => p['x']);
    expect(new Set(points).size).toBeLessThan(4);
  });
});

describe('warm starts', () => {
  const tempDir = useTempDir();

  it('runs the enqueued points first, fills in what they leave out, and models from them', async () => {
    const study = await createStudy({
      name: 'warm',
      storage: join(tempDir(), 'warm.db'),
      direction: 'minimize',
      seed: 2,
      search: { strategy: 'tpe', trials: 30, startup_trials: 3, enqueue: [{ lr: 1e-3, units: 64, act: 'tanh' }, { lr: 2e-3 }] },
      params: SPACE,
    });
    try {
      await study.optimize(bowl, { workers: 1 });
      const trials = await study.trials();
      expect(trials[0]!.params).toEqual({ lr: 1e-3, units: 64, act: 'tanh', epochs: 5 });
      expect(tpePhase(trials[0]!)).toBe('startup'); // the fixed epochs was left out, so the sampler filled it
      expect(trials[1]!.params['lr']).toBe(2e-3);
      expect(tpePhase(trials[1]!)).toBe('startup');
      // The enqueued best point is in the model: later draws come back to tanh and a decade of 1e-3
      // more often than random search would (a third of the choices × 2 of 5 decades, 0.13).
      const modelled = trials.filter((t) => tpePhase(t) === 'tpe');
      expect(modelled.length).toBeGreaterThan(20);
      const near = modelled.filter((t) => t.params['act'] === 'tanh' && Math.abs(Math.log10(t.params['lr'] as number) + 3) < 1);
      expect(near.length / modelled.length).toBeGreaterThan(0.2);
    } finally {
      await study.close();
    }
  });
});
