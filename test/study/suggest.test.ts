/**
 * Study.suggest, the main thread's side of define-by-run, with ask / tell and real SQLite: which
 * asks the study answers from what the trial has, which go to the sampler (a counting one, so a
 * second draw shows), and what is stored.
 */
import { describe, expect, it } from 'vitest';
import { RandomSampler } from '../../src/samplers/random.js';
import type { Sampler, SuggestContext } from '../../src/samplers/sampler.js';
import { validateSpaceDocument } from '../../src/space/load.js';
import type { ParamValue } from '../../src/space/types.js';
import type { AskedSpec } from '../../src/space/asked-spec.js';
import { openStorage } from '../../src/storage/open.js';
import { Study } from '../../src/study/study.js';

const X: AskedSpec = { type: 'float', low: 0, high: 100, log: false };

/** Random search whose suggestions count up from 1 (each call a new value), recording what it was told. */
class CountingSampler extends RandomSampler implements Sampler {
  readonly told: Omit<SuggestContext, 'history'>[] = [];
  override async suggest({ history: _history, ...context }: SuggestContext): Promise<ParamValue> {
    this.told.push(structuredClone(context));
    return this.told.length;
  }
}

/** A study of `params` (a space file's section) in an in-memory database, drawn by a CountingSampler. */
async function studyOf(params: Record<string, unknown> | undefined, enqueue: Record<string, unknown>[] = []) {
  const raw = { study: 's', seed: 3, objective: { metric: 'value', direction: 'maximize' }, search: { strategy: 'random', trials: 10, enqueue }, params };
  const space = validateSpaceDocument(raw, 's', process.cwd(), { requireObjective: false });
  const storage = await openStorage(':memory:');
  const record = await storage.createStudy({ name: 's', direction: 'maximize', metric: 'value', seed: 3, space: raw, enqueue: space.enqueue });
  const sampler = new CountingSampler(space);
  return { study: new Study(storage, record, space, sampler, true), sampler };
}

describe('Study.suggest', () => {
  it('draws a new name from the sampler once, stores it with the trial, and answers it again from memory', async () => {
    const { study, sampler } = await studyOf(undefined);
    try {
      const trial = (await study.ask())!;
      expect(trial.params).toEqual({});
      expect(await study.suggest(trial, 'x', X)).toBe(1);
      expect(await study.suggest(trial, 'y', X)).toBe(2);
      expect(await study.suggest(trial.number, 'x', X)).toBe(1);
      expect(sampler.told.map((c) => c.name)).toEqual(['x', 'y']);
      expect(trial.params).toEqual({ x: 1, y: 2 });
      expect((await study.trial(trial.number))!.params).toEqual({ x: 1, y: 2 });
      await study.tell(trial, 5);
      expect((await study.trial(trial.number))!).toMatchObject({ state: 'complete', params: { x: 1, y: 2 } });
    } finally {
      await study.close();
    }
  });

  it("answers one trial's asks one at a time, in order: the same name asked twice at once is drawn once", async () => {
    const { study, sampler } = await studyOf(undefined);
    try {
      const trial = (await study.ask())!;
      const answers = await Promise.all([study.suggest(trial, 'x', X), study.suggest(trial, 'x', X), study.suggest(trial, 'z', X)]);
      expect(answers).toEqual([1, 1, 2]);
      expect(sampler.told).toHaveLength(2);
    } finally {
      await study.close();
    }
  });

  it("tells the sampler the trial's sample index (its number when enqueued), whether it was enqueued, and its params so far", async () => {
    const { study, sampler } = await studyOf({ units: { type: 'int', low: 1, high: 4 } }, [{ units: 2 }]);
    try {
      const enqueued = (await study.ask())!;
      const drawn = (await study.ask())!;
      await study.suggest(enqueued, 'x', X);
      await study.suggest(drawn, 'x', X);
      await study.suggest(drawn, 'y', X);
      expect(sampler.told).toEqual([
        { index: 0, number: 0, enqueued: true, name: 'x', spec: X, params: { units: 2 } },
        { index: 0, number: 1, enqueued: false, name: 'x', spec: X, params: { units: drawn.params['units'] } },
        { index: 0, number: 1, enqueued: false, name: 'y', spec: X, params: { units: drawn.params['units'], x: 2 } },
      ]);
    } finally {
      await study.close();
    }
  });

  it('gives a range of one point its value without the sampler, and a declared param the value drawn for the trial', async () => {
    const { study, sampler } = await studyOf({ units: { type: 'int', low: 1, high: 4 }, epochs: 5, act: { type: 'categorical', choices: ['relu', 'tanh'] } });
    try {
      const trial = (await study.ask())!;
      expect(await study.suggest(trial, 'one', { type: 'float', low: 0.5, high: 0.5, log: true })).toBe(0.5);
      expect(await study.suggest(trial, 'only', { type: 'categorical', choices: [null] })).toBeNull();
      expect(await study.suggest(trial, 'units', { type: 'int', low: 1, high: 4, log: false, step: 1 })).toBe(trial.params['units']);
      expect(await study.suggest(trial, 'act', { type: 'categorical', choices: ['relu', 'tanh'] })).toBe(trial.params['act']);
      // A fixed param, asked for with a range that holds it.
      expect(await study.suggest(trial, 'epochs', { type: 'int', low: 1, high: 10, log: false, step: 1 })).toBe(5);
      expect(sampler.told).toEqual([]);
      expect(Object.keys((await study.trial(trial.number))!.params)).toEqual(['units', 'epochs', 'act', 'one', 'only']);
    } finally {
      await study.close();
    }
  });

  it('refuses an ask that disagrees with the declaration or an earlier ask, naming both, and stores nothing for it', async () => {
    const { study, sampler } = await studyOf({ units: { type: 'int', low: 1, high: 4 }, epochs: 5, act: { type: 'categorical', choices: ['relu', 'tanh'] } });
    try {
      const trial = (await study.ask())!;
      const refused = (spec: AskedSpec, name: string, message: string) => expect(study.suggest(trial, name, spec)).rejects.toMatchObject({ code: 'E_USAGE', message });
      await refused({ type: 'int', low: 1, high: 8, log: false, step: 1 }, 'units',
        'param "units" is declared in the space as int in [1, 4], but trial 0 asked for it as int in [1, 8]: ask with the declared distribution, or take "units" out of the space\'s params');
      await refused({ type: 'float', low: 1, high: 4, log: false }, 'units', expect.stringContaining('as float in [1, 4]') as unknown as string);
      // Choices compare in order: samplers index them by position.
      await refused({ type: 'categorical', choices: ['tanh', 'relu'] }, 'act', expect.stringContaining('declared in the space as one of ["relu", "tanh"], but trial 0 asked for it as one of ["tanh", "relu"]') as unknown as string);
      await refused({ type: 'int', low: 6, high: 9, log: false, step: 1 }, 'epochs',
        'param "epochs" is fixed at 5 in the space, which trial 0 asked for as int in [6, 9]: ask with a distribution that holds 5, or take "epochs" out of the space\'s params');
      expect(await study.suggest(trial, 'x', X)).toBe(1);
      await refused({ ...X, step: 5 }, 'x', 'trial 0 asked for param "x" as float in [0, 100], step 5, but earlier as float in [0, 100] (and got 1): ask for a param with the same distribution every time');
      expect(sampler.told).toHaveLength(1);
      // Each refusal failed its own ask only: the trial goes on.
      expect(await study.suggest(trial, 'x', X)).toBe(1);
      expect(Object.keys((await study.trial(trial.number))!.params)).toEqual(['units', 'epochs', 'act', 'x']);
    } finally {
      await study.close();
    }
  });

  it('refuses a declared param that is inactive in the trial, saying where it exists and what the trial has', async () => {
    const { study } = await studyOf({
      optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
      momentum: { type: 'float', low: 0.5, high: 0.99, when: { optimizer: 'momentum' } },
    }, [{ optimizer: 'sgd' }]);
    try {
      const trial = (await study.ask())!;
      await expect(study.suggest(trial, 'momentum', { type: 'float', low: 0.5, high: 0.99, log: false })).rejects.toMatchObject({
        code: 'E_USAGE',
        message: 'param "momentum" is declared in the space, and inactive in trial 0: it exists only when optimizer = momentum, and here optimizer = "sgd"; ' +
          "ask for it only where its when: holds, or take it out of the space's params to ask for it anywhere",
      });
    } finally {
      await study.close();
    }
  });

  it('refuses what is not a distribution, a trial it did not ask for or has told, with E_USAGE', async () => {
    const { study } = await studyOf(undefined);
    try {
      const trial = (await study.ask())!;
      await expect(study.suggest(trial, 'x', { type: 'float', low: 2, high: 1, log: false })).rejects.toMatchObject({ code: 'E_USAGE', message: 'suggest("x"): low (2) must be <= high (1)' });
      await expect(study.suggest(trial, 'x', { type: 'fixed', value: 1 } as never)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining("type must be float, int or categorical, got string \"fixed\"") });
      await expect(study.suggest(trial, '__proto__', X)).rejects.toMatchObject({ code: 'E_USAGE' });
      await expect(study.suggest(7, 'x', X)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('has no running trial 7 that it asked for') });
      await study.tell(trial, 1);
      await expect(study.suggest(trial, 'x', X)).rejects.toMatchObject({ code: 'E_USAGE' });
      expect((await study.trial(trial.number))!.params).toEqual({});
    } finally {
      await study.close();
    }
  });
});
