import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sample, SampleContext, Sampler } from '../../src/samplers/sampler.js';
import { validateSpaceDocument } from '../../src/space/load.js';
import type { Params } from '../../src/space/types.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createStudy, loadStudyFrom, openStudyFromSpace, type CreateStudyOptions } from '../../src/study/create.js';
import { Study } from '../../src/study/study.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

const BOOK_PARAMS = {
  learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
  weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
  epochs: 3,
};

/** A study of the book's two params (and a fixed one) in a new database. */
function bookStudy(name: string, search: Record<string, unknown>, options: Partial<CreateStudyOptions> = {}): Promise<Study> {
  return createStudy({ name, storage: join(tempDir(), `${name}.db`), direction: 'maximize', seed: 5, search, params: BOOK_PARAMS, ...options });
}

/** The raw document a space file would hold for `bookStudy`, as `hpsearch run` loads it. */
function bookSpace(name: string, enqueue: Params[]) {
  const raw = {
    study: name, seed: 5, objective: { metric: 'value', direction: 'maximize' },
    search: { strategy: 'random', trials: 6, enqueue }, params: BOOK_PARAMS,
  };
  return { space: validateSpaceDocument(raw, name, process.cwd(), { requireObjective: false }), raw, file: `/abs/${name}.yaml` };
}

const objective = (params: Params) => -Math.abs(Math.log10(params['learning_rate'] as number) + 3);

describe("a space's search.enqueue", () => {
  it('runs those trials first, as trials 0..k-1 with exactly those params (the missing ones sampled), within the budget', async () => {
    const study = await bookStudy('first', { strategy: 'random', trials: 6, enqueue: [{ learning_rate: 0.01, weight_decay: 1e-6 }, { learning_rate: 0.005 }] });
    try {
      const summary = await study.optimize(objective, { workers: 2 });
      expect(summary.ran).toBe(6);
      const trials = await study.trials();
      expect(trials.map((t) => [t.number, t.state, t.sampleIndex])).toEqual([
        [0, 'complete', null], [1, 'complete', null], [2, 'complete', 0], [3, 'complete', 1], [4, 'complete', 2], [5, 'complete', 3],
      ]);
      expect(trials[0]!.params).toEqual({ learning_rate: 0.01, weight_decay: 1e-6, epochs: 3 });
      expect(trials[1]!.params).toMatchObject({ learning_rate: 0.005, epochs: 3 });
      const wd = trials[1]!.params['weight_decay'] as number;
      expect(wd).toBeGreaterThanOrEqual(1e-8);
      expect(wd).toBeLessThanOrEqual(1e-4);
      // In the space's order, as a drawn trial's params.
      expect(Object.keys(trials[1]!.params)).toEqual(['learning_rate', 'weight_decay', 'epochs']);
    } finally {
      await study.close();
    }
  });

  it('is queued once, when the study is created: not when it is opened again, resumed or topped up', async () => {
    const enqueue = [{ learning_rate: 0.01 }, { learning_rate: 0.001 }];
    const study = await bookStudy('once', { strategy: 'random', trials: 3, enqueue });
    const storage = study.storage;
    try {
      await study.optimize(objective, { workers: 1 });
      const again = await createStudy({ name: 'once', storage, direction: 'maximize', search: { strategy: 'random', trials: 3, enqueue }, params: BOOK_PARAMS, loadIfExists: true });
      const resumed = await openStudyFromSpace(storage, bookSpace('once', enqueue), { resume: true });
      expect(resumed.resumed).toBe(true);
      await resumed.study.optimize(objective, { trials: 5, workers: 1 });
      const trials = await again.trials();
      expect(trials).toHaveLength(5);
      expect(trials.filter((t) => t.sampleIndex === null).map((t) => [t.number, t.params['learning_rate']])).toEqual([[0, 0.01], [1, 0.001]]);
    } finally {
      await storage.close();
    }
  });

  it('is queued once when two processes start the same new study at the same moment', async () => {
    const db = join(tempDir(), 'race.db');
    const storages: Storage[] = [await openSqliteStorage(db), await openSqliteStorage(db)];
    try {
      const enqueue = [{ learning_rate: 0.01 }, { learning_rate: 0.002 }, { learning_rate: 0.0003 }];
      const opened = await Promise.all(storages.map((storage) => openStudyFromSpace(storage, bookSpace('race', enqueue), { resume: true })));
      expect(opened.map((o) => o.resumed).sort()).toEqual([false, true]);
      await Promise.all(opened.map(({ study }) => study.optimize(objective, { workers: 2 })));
      const trials = await opened[0]!.study.trials();
      expect(trials).toHaveLength(6);
      expect(trials.filter((t) => t.sampleIndex === null).map((t) => [t.number, t.params['learning_rate']])).toEqual([[0, 0.01], [1, 0.002], [2, 0.0003]]);
    } finally {
      for (const storage of storages) await storage.close();
    }
  });
});

describe('a trial enqueued with some of its params', () => {
  it('has the rest drawn by the sampler, the same for the same seed, and the given values win', async () => {
    const asked: Params[] = [];
    for (const [name, seed] of [['a', 5], ['b', 5], ['c', 6]] as const) {
      const study = await bookStudy(name, { strategy: 'random', trials: 4, enqueue: [{ learning_rate: 0.01 }] }, { seed });
      try {
        const enqueued = (await study.ask())!;
        expect(enqueued.number).toBe(0);
        expect(enqueued.params).toMatchObject({ learning_rate: 0.01, epochs: 3 });
        expect(enqueued.samplerState).toEqual({});
        // What ask handed out is what the study stored.
        expect((await study.trial(0))!.params).toEqual(enqueued.params);
        asked.push(enqueued.params);
        // The fill is not the draw of the sampled trial with the same index (trial 1 has sample index 0).
        const drawn = (await study.ask())!;
        expect(drawn.params['weight_decay']).not.toBe(enqueued.params['weight_decay']);
      } finally {
        await study.close();
      }
    }
    expect(asked[0]).toEqual(asked[1]);
    expect(asked[2]!['weight_decay']).not.toBe(asked[0]!['weight_decay']);
  });

  it('goes back to its given params when released, and is filled in the same way when claimed again', async () => {
    const study = await bookStudy('released', { strategy: 'random', trials: 4, enqueue: [{ weight_decay: 1e-6 }] });
    try {
      const first = (await study.ask())!;
      expect(first.params['weight_decay']).toBe(1e-6);
      expect(await study.release(first)).toBe(true);
      expect((await study.trial(0))!).toMatchObject({ state: 'queued', params: { weight_decay: 1e-6 } });
      const second = (await study.ask())!;
      expect(second.number).toBe(0);
      expect(second.params).toEqual(first.params);
    } finally {
      await study.close();
    }
  });

  it("goes through the study's sampler, which is told the given params, and its sampler state is kept", async () => {
    const db = join(tempDir(), 'state.db');
    const seen: SampleContext[] = [];
    const filling: Sampler = {
      name: 'filling',
      capacity: Infinity,
      async sample(context: SampleContext): Promise<Sample> {
        seen.push(context);
        return { params: { learning_rate: 0.5, weight_decay: 0.25, epochs: 3 }, samplerState: { kind: context.enqueued ? 'fill' : 'draw' } };
      },
      suggest: () => Promise.reject(new Error('this test asks for no params while trials run')),
    };
    const made = await bookStudy('state', { strategy: 'random', trials: 4, enqueue: [{ learning_rate: 0.01 }, { learning_rate: 0.002, weight_decay: 1e-5, epochs: 3 }] }, { storage: db });
    const storage = made.storage;
    try {
      const record = (await storage.getStudy('state'))!;
      const study = new Study(storage, record, made.space, filling, false);
      const partial = (await study.ask())!;
      expect(partial.params).toEqual({ learning_rate: 0.01, weight_decay: 0.25, epochs: 3 });
      expect(partial.samplerState).toEqual({ kind: 'fill' });
      expect(seen.map((c) => [c.index, c.enqueued])).toEqual([[0, { learning_rate: 0.01 }]]);
      expect((await study.trial(0))!.samplerState).toEqual({ kind: 'fill' });
      // A trial given all its params skips the sampler, as before.
      const whole = (await study.ask())!;
      expect(whole.params).toEqual({ learning_rate: 0.002, weight_decay: 1e-5, epochs: 3 });
      expect(whole.samplerState).toEqual({});
      expect(seen).toHaveLength(1);
      const drawn = (await study.ask())!;
      expect(drawn.samplerState).toEqual({ kind: 'draw' });
      expect(seen.map((c) => [c.index, c.enqueued])).toEqual([[0, { learning_rate: 0.01 }], [0, undefined]]);
    } finally {
      await storage.close();
    }
  });

  it('in a grid search, has the rest filled from the grid point of its number', async () => {
    const study = await createStudy({
      name: 'grid', storage: join(tempDir(), 'grid.db'), direction: 'maximize', seed: 1,
      search: { strategy: 'grid', enqueue: [{ y: 0.5 }] },
      params: { x: { type: 'int', low: 0, high: 3 }, y: { type: 'float', low: 0, high: 1, grid: 3 } },
    });
    try {
      const trial = (await study.ask())!;
      expect(trial.params['y']).toBe(0.5);
      expect([0, 1, 2, 3]).toContain(trial.params['x']);
    } finally {
      await study.close();
    }
  });

  it('in a conditional grid search, takes its branch from the given values: the point fills what it has, and nothing the branch lacks', async () => {
    const study = await createStudy({
      name: 'branches', storage: join(tempDir(), 'branches.db'), direction: 'maximize', seed: 3,
      search: { strategy: 'grid', enqueue: [{ optimizer: 'adam' }, { optimizer: 'momentum', momentum: 0.7 }] },
      params: {
        lr: { type: 'float', values: [0.01, 0.1] },
        optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
        momentum: { type: 'float', values: [0.5, 0.9], when: { optimizer: ['momentum'] } },
        beta1: { type: 'float', values: [0.8, 0.9, 0.99], when: { optimizer: ['adam'] } },
      },
    });
    try {
      const pointOf = async (index: number) => (await study.sampler.sample({ index, history: async () => [] })).params;
      const adam = (await study.ask())!;
      expect(adam.number).toBe(0);
      expect(Object.keys(adam.params)).toEqual(['lr', 'optimizer', 'beta1']);
      expect(adam.params).toMatchObject({ lr: (await pointOf(0))['lr'], optimizer: 'adam' });
      expect([0.8, 0.9, 0.99]).toContain(adam.params['beta1']);
      const momentum = (await study.ask())!;
      expect(momentum.params).toEqual({ lr: (await pointOf(1))['lr'], optimizer: 'momentum', momentum: 0.7 });
      expect(Object.keys(momentum.params)).toEqual(['lr', 'optimizer', 'momentum']);
    } finally {
      await study.close();
    }
  });

  it('in a narrowing search, is filled from the whole space at once and belongs to no round', async () => {
    const study = await createStudy({
      name: 'narrow', storage: join(tempDir(), 'narrow.db'), direction: 'maximize', seed: 1,
      search: { strategy: 'narrowing', rounds: 2, trials_per_round: 2 },
      params: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true }, wd: { type: 'float', low: 1e-6, high: 1e-2, log: true } },
    });
    try {
      const round0 = [(await study.ask())!, (await study.ask())!];
      expect(round0.map((t) => t.samplerState)).toEqual([{ round: 0 }, { round: 0 }]);
      // Trial 2 is in round 1's place, whose draws wait for round 0 to finish: an enqueued fill does not.
      expect((await study.enqueue({ lr: 0.01 })).map((t) => t.number)).toEqual([2]);
      const enqueued = (await study.ask({ signal: AbortSignal.timeout(5_000) }))!;
      expect(enqueued).toMatchObject({ number: 2, samplerState: {} });
      expect(enqueued.params['lr']).toBe(0.01);
    } finally {
      await study.close();
    }
  });
});

describe('study.enqueue', () => {
  it('queues trials after those already queued, checked against the space first, all or none', async () => {
    const study = await bookStudy('api', { strategy: 'random', trials: 10, enqueue: [{ learning_rate: 0.01 }] });
    try {
      const queued = await study.enqueue([{ learning_rate: 0.002 }, { weight_decay: 1e-7, epochs: 3 }]);
      expect(queued.map((t) => [t.number, t.state, t.params])).toEqual([[1, 'queued', { learning_rate: 0.002 }], [2, 'queued', { weight_decay: 1e-7, epochs: 3 }]]);
      expect((await study.enqueue({ learning_rate: 1e-3 }))[0]!.number).toBe(3);
      await expect(study.enqueue([{ learning_rate: 0.001 }, { learning_rate: 0.5 }])).rejects.toMatchObject({
        code: 'E_VALIDATION',
        message: 'params[1]: enqueued learning_rate 0.5 is outside [1e-6, 0.01]; give a value in that range, or widen params.learning_rate',
      });
      await expect(study.enqueue({ learning_rat: 0.001 })).rejects.toThrow('enqueued param "learning_rat" is not in the space; did you mean "learning_rate"?');
      await expect(study.enqueue({ epochs: 4 })).rejects.toThrow('enqueued epochs 4 differs from its fixed value 3');
      expect((await study.counts()).queued).toBe(4);
      // They run first, the file's one before them.
      await study.optimize(objective, { workers: 1 });
      const byNumber = await study.trials();
      expect(byNumber.slice(0, 4).map((t) => t.params['learning_rate'])).toEqual([0.01, 0.002, expect.any(Number), 1e-3]);
      expect(byNumber[2]!.params['weight_decay']).toBe(1e-7);
      expect(byNumber).toHaveLength(10);
    } finally {
      await study.close();
    }
  });

  it('refuses trials a grid search has no room for, saying so', async () => {
    const study = await createStudy({
      name: 'full', storage: join(tempDir(), 'full.db'), direction: 'maximize', search: { strategy: 'grid' },
      params: { x: { type: 'int', low: 0, high: 2 } },
    });
    try {
      await study.enqueue({ x: 1 });
      await study.enqueue({ x: 2 });
      await expect(study.enqueue([{ x: 0 }, { x: 1 }])).rejects.toMatchObject({
        code: 'E_USAGE',
        message: 'study "full" holds 2 trials and its grid search at most 3: 2 enqueued trials would not fit (enqueued trials count toward the trials)',
      });
      expect((await study.counts()).queued).toBe(2);
      // The loaded study checks the same way.
      const loaded = await loadStudyFrom(study.storage, 'full');
      expect((await loaded.enqueue({ x: 0 }))[0]!.number).toBe(2);
    } finally {
      await study.close();
    }
  });
});
