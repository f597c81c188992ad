import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SamplerState } from '../../src/samplers/sampler.js';
import type { Direction, Params } from '../../src/space/types.js';
import type { ModelArtifact } from '../../src/storage/model-artifact.js';
import type { ClaimedTrial, NewStudy, Storage, StudyRecord, TrialFinish } from '../../src/storage/storage.js';

/**
 * Behaviour every storage backend must show. `open` returns a fresh, empty storage per test;
 * the suite closes it afterwards.
 */
export function storageContract(name: string, open: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.close();
    });

    const newStudy = (overrides: Partial<NewStudy> = {}): NewStudy => ({
      name: 'mnist',
      direction: 'maximize',
      metric: 'val_accuracy',
      seed: 42,
      space: { study: 'mnist', params: { lr: { type: 'float', low: 1e-4, high: 0.1, log: true } } },
      spaceFile: '/abs/space.yaml',
      ...overrides,
    });

    /** Claims a trial and finishes it with `finish`; returns its number. */
    async function addFinished(study: StudyRecord, finish: TrialFinish, params: Params = {}): Promise<number> {
      const claimed = await storage.claimTrial(study.id, { maxTrials: 1_000, owner: 'test:1' });
      if (!claimed) throw new Error('budget unexpectedly spent');
      await storage.setTrialParams(claimed, { params });
      await storage.finishTrial(claimed, finish);
      return claimed.number;
    }

    describe('studies', () => {
      it('creates a study and reads it back by name', async () => {
        const before = Date.now();
        const created = await storage.createStudy(newStudy());
        expect(created).toMatchObject({ name: 'mnist', direction: 'maximize', metric: 'val_accuracy', seed: 42 });
        expect(created.spaceFile).toBe('/abs/space.yaml');
        expect(created.createdAt).toBeGreaterThanOrEqual(before);
        expect(created.space).toEqual(newStudy().space);
        expect(await storage.getStudy('mnist')).toEqual(created);
        expect(await storage.getStudy('nope')).toBeNull();
      });

      it('defaults spaceFile to null', async () => {
        const { spaceFile: _omit, ...rest } = newStudy();
        expect((await storage.createStudy(rest)).spaceFile).toBeNull();
      });

      it('rejects a duplicate name with E_STUDY_EXISTS and keeps the original', async () => {
        const first = await storage.createStudy(newStudy());
        await expect(storage.createStudy(newStudy({ seed: 7 }))).rejects.toMatchObject({ code: 'E_STUDY_EXISTS' });
        expect(await storage.getStudy('mnist')).toEqual(first);
      });

      it('lists studies with counts per state and the best complete value', async () => {
        const up = await storage.createStudy(newStudy({ name: 'up' }));
        const down = await storage.createStudy(newStudy({ name: 'down', direction: 'minimize' }));
        await storage.createStudy(newStudy({ name: 'empty' }));
        for (const study of [up, down]) {
          await addFinished(study, { state: 'complete', value: 0.5 });
          await addFinished(study, { state: 'complete', value: 0.9 });
          await addFinished(study, { state: 'pruned', value: 5 });
          await addFinished(study, { state: 'failed', error: 'boom' });
          await storage.claimTrial(study.id, { maxTrials: 100, owner: 'x' });
          await storage.enqueueTrial(study.id, { lr: 0.1 });
        }
        const list = await storage.listStudies();
        expect(list.map((s) => s.name)).toEqual(['up', 'down', 'empty']);
        const counts = { queued: 1, running: 1, complete: 2, pruned: 1, failed: 1 };
        expect(list[0]).toMatchObject({ id: up.id, counts, best: 0.9 });
        expect(list[1]).toMatchObject({ id: down.id, counts, best: 0.5 });
        expect(list[2]).toMatchObject({ counts: { queued: 0, running: 0, complete: 0, pruned: 0, failed: 0 }, best: null });
      });
    });

    describe('claiming', () => {
      it('numbers new trials 0..n-1 with sample indices 0..n-1', async () => {
        const study = await storage.createStudy(newStudy());
        const claims = [];
        for (let i = 0; i < 5; i++) claims.push(await storage.claimTrial(study.id, { maxTrials: 10, owner: 'host:1' }));
        expect(claims.map((c) => c?.number)).toEqual([0, 1, 2, 3, 4]);
        expect(claims.map((c) => c?.sampleIndex)).toEqual([0, 1, 2, 3, 4]);
        expect(claims.every((c) => c?.params === null)).toBe(true);
        expect(new Set(claims.map((c) => c?.id)).size).toBe(5);
        const trial = await storage.getTrial(study.id, 3);
        expect(trial).toMatchObject({ state: 'running', owner: 'host:1', sampleIndex: 3, params: {}, value: null });
        expect(trial?.startedAt).toEqual(expect.any(Number));
        expect(trial?.endedAt).toBeNull();
      });

      it('resolves to null once the study has maxTrials trials', async () => {
        const study = await storage.createStudy(newStudy());
        for (let i = 0; i < 3; i++) expect(await storage.claimTrial(study.id, { maxTrials: 3, owner: 'o' })).not.toBeNull();
        expect(await storage.claimTrial(study.id, { maxTrials: 3, owner: 'o' })).toBeNull();
        expect(await storage.claimTrial(study.id, { maxTrials: 3, owner: 'o' })).toBeNull();
        expect((await storage.countTrials(study.id)).running).toBe(3);
      });

      it('hands out queued trials first, oldest first, with their params', async () => {
        const study = await storage.createStudy(newStudy());
        const q0 = await storage.enqueueTrial(study.id, { lr: 0.01, opt: 'adam' });
        const q1 = await storage.enqueueTrial(study.id, { lr: 0.02, opt: 'sgd' });
        expect(q0).toMatchObject({ number: 0, state: 'queued', sampleIndex: null, params: { lr: 0.01, opt: 'adam' } });
        expect(q1.number).toBe(1);
        const budget = { maxTrials: 3, owner: 'w' };
        expect(await storage.claimTrial(study.id, budget)).toEqual({ token: expect.any(String), id: q0.id, number: 0, params: { lr: 0.01, opt: 'adam' }, sampleIndex: null });
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ id: q1.id, number: 1, sampleIndex: null });
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ number: 2, params: null, sampleIndex: 0 });
        expect(await storage.claimTrial(study.id, budget)).toBeNull();
        expect(await storage.getTrial(study.id, 0)).toMatchObject({ state: 'running', owner: 'w' });
      });

      it('gives released trials out again first: sampled ones to be sampled afresh, enqueued ones with their params', async () => {
        const study = await storage.createStudy(newStudy());
        const budget = { maxTrials: 3, owner: 'w' };
        const a = (await storage.claimTrial(study.id, budget))!;
        await storage.setTrialParams(a, { params: { lr: 0.3 }, samplerState: { round: 1 } });
        const b = (await storage.claimTrial(study.id, budget))!;
        await storage.releaseTrial(a);
        expect(await storage.getTrial(study.id, a.number)).toMatchObject({ state: 'queued', owner: null, startedAt: null, samplerState: {}, params: {} });
        // Released trials are handed out even with the budget spent, before any new trial.
        const q = (await storage.enqueueTrial(study.id, { lr: 0.9 }))!;
        expect(await storage.claimTrial(study.id, { maxTrials: 1, owner: 'x' })).toEqual({ id: a.id, token: expect.any(String), number: a.number, params: null, sampleIndex: a.sampleIndex });
        const enqueued = (await storage.claimTrial(study.id, budget))!;
        expect(enqueued).toMatchObject({ id: q.id, params: { lr: 0.9 }, sampleIndex: null });
        await storage.releaseTrial(enqueued);
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ id: q.id, params: { lr: 0.9 }, sampleIndex: null });
        await storage.finishTrial(b, { state: 'complete', value: 1 });
        await expect(storage.releaseTrial(b)).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
        await expect(storage.releaseTrial({ id: 987_654, token: null })).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
      });

      it('a released enqueued trial goes back to the params it was given, not those the sampler filled in', async () => {
        const study = await storage.createStudy(newStudy());
        const q = await storage.enqueueTrial(study.id, { lr: 0.05 });
        const claimed = (await storage.claimTrial(study.id, { maxTrials: 3, owner: 'w' }))!;
        expect(claimed).toMatchObject({ id: q.id, params: { lr: 0.05 }, sampleIndex: null });
        await storage.setTrialParams(claimed, { params: { lr: 0.05, opt: 'adam' }, samplerState: { filled: 'opt' } });
        expect((await storage.getTrial(study.id, q.number))!.params).toEqual({ lr: 0.05, opt: 'adam' });
        await storage.releaseTrial(claimed);
        expect(await storage.getTrial(study.id, q.number)).toMatchObject({ state: 'queued', params: { lr: 0.05 }, samplerState: {} });
        // Recovery's release (a dead run's trials) does the same.
        const again = (await storage.claimTrial(study.id, { maxTrials: 3, owner: 'dead:1:x' }))!;
        expect(again.params).toEqual({ lr: 0.05 });
        await storage.setTrialParams(again, { params: { lr: 0.05, opt: 'sgd' } });
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: 60_000, deadOwners: ['dead:1:x'] })).toHaveLength(1);
        expect((await storage.getTrial(study.id, q.number))!.params).toEqual({ lr: 0.05 });
        // And so does a run that stops and gives all of its trials back.
        const third = (await storage.claimTrial(study.id, { maxTrials: 3, owner: 'stopping:1:y' }))!;
        await storage.setTrialParams(third, { params: { lr: 0.05, opt: 'rmsprop' } });
        expect(await storage.releaseTrialsOf('stopping:1:y')).toBe(1);
        expect((await storage.getTrial(study.id, q.number))!.params).toEqual({ lr: 0.05 });
      });

      it("creates a study with its enqueued trials queued first (numbers 0, 1, ...) in the same write", async () => {
        const study = await storage.createStudy(newStudy({ enqueue: [{ lr: 0.01, opt: 'adam' }, { lr: 0.02 }] }));
        expect((await storage.listTrials(study.id)).map((t) => [t.number, t.state, t.sampleIndex, t.params])).toEqual([
          [0, 'queued', null, { lr: 0.01, opt: 'adam' }],
          [1, 'queued', null, { lr: 0.02 }],
        ]);
        const budget = { maxTrials: 3, owner: 'w' };
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ number: 0, params: { lr: 0.01, opt: 'adam' }, sampleIndex: null });
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ number: 1, params: { lr: 0.02 }, sampleIndex: null });
        expect(await storage.claimTrial(study.id, budget)).toMatchObject({ number: 2, params: null, sampleIndex: 0 });
        // A name taken: nothing is created, and nothing queued in the study that has it.
        await expect(storage.createStudy(newStudy({ enqueue: [{ lr: 0.5 }] }))).rejects.toMatchObject({ code: 'E_STUDY_EXISTS' });
        expect(await storage.countTrials(study.id)).toMatchObject({ queued: 0, running: 3 });
        expect((await storage.listStudies()).map((s) => s.name)).toEqual(['mnist']);
        // Without enqueue, a study starts empty.
        const empty = await storage.createStudy(newStudy({ name: 'empty' }));
        expect(await storage.listTrials(empty.id)).toEqual([]);
      });

      it('rejects claims and writes for unknown trials with codes', async () => {
        await expect(storage.finishTrial({ id: 987_654, token: null }, { state: 'complete', value: 1 })).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
        await expect(storage.reportStep({ id: 987_654, token: null }, 0, { loss: 1 })).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
        await expect(storage.setTrialParams({ id: 987_654, token: null }, { params: {} })).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
      });

      it('reports errors as rejections, never synchronous throws', async () => {
        let promise: Promise<void> | undefined;
        expect(() => {
          promise = storage.finishTrial({ id: 987_654, token: null }, { state: 'complete' });
        }).not.toThrow();
        await expect(promise).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
      });
    });

    describe('heartbeats and recovery of a dead run', () => {
      /** Claims a trial for `owner`, gives it params and reports `steps` steps. */
      async function running(study: StudyRecord, owner: string, params: Params, steps = 2) {
        const claimed = (await storage.claimTrial(study.id, { maxTrials: 100, owner }))!;
        await storage.setTrialParams(claimed, { params, samplerState: { round: 0 }, seed: 7 });
        for (let step = 0; step < steps; step++) await storage.reportStep(claimed, step, { loss: step });
        return claimed;
      }

      it('beats for the running trials of one owner only, and lists the owners of running trials', async () => {
        const study = await storage.createStudy(newStudy());
        await running(study, 'host:1', { lr: 0.1 });
        await running(study, 'host:1', { lr: 0.2 });
        const other = await running(study, 'host:2', { lr: 0.3 });
        const done = await running(study, 'host:1', { lr: 0.4 });
        await storage.finishTrial(done, { state: 'complete', value: 1 });
        expect(await storage.heartbeat('host:1')).toBe(2);
        expect(await storage.heartbeat('nobody:9')).toBe(0);
        expect((await storage.runningOwners(study.id)).sort()).toEqual(['host:1', 'host:2']);
        await storage.finishTrial(other, { state: 'failed', error: 'x' });
        expect(await storage.runningOwners(study.id)).toEqual(['host:1']);
      });

      it('requeues the trials of dead owners and of owners silent since staleBefore, with their steps deleted, to run with the same index', async () => {
        const study = await storage.createStudy(newStudy());
        const dead = await running(study, 'host:1', { lr: 0.1 });
        const silent = await running(study, 'host:2', { lr: 0.2 });
        const t0 = Date.now();
        // Stale means silent for longer than staleAfterMs by the storage's clock: silent since
        // before t0 is stale, anything started 400 ms later is not (unless the call took 395 ms).
        await new Promise((resolve) => setTimeout(resolve, 400));
        const silentSinceT0 = () => Date.now() - t0 - 5;
        const alive = await running(study, 'host:3', { lr: 0.3 });
        const finished = await running(study, 'host:1', { lr: 0.4 });
        await storage.finishTrial(finished, { state: 'complete', value: 0.5 });

        const recovered = await storage.recoverStaleTrials(study.id, { staleAfterMs: silentSinceT0(), deadOwners: ['host:1'] });
        expect(recovered).toEqual([
          { number: dead.number, owner: 'host:1', reason: 'dead-owner' },
          { number: silent.number, owner: 'host:2', reason: 'no-heartbeat' },
        ]);
        for (const t of [dead, silent]) {
          expect(await storage.getTrial(study.id, t.number)).toMatchObject({ state: 'queued', owner: null, startedAt: null, steps: [] });
        }
        expect(await storage.getTrial(study.id, alive.number)).toMatchObject({ state: 'running', owner: 'host:3' });
        expect((await storage.getTrial(study.id, alive.number))!.steps).toHaveLength(2);
        // Finished trials are never touched.
        expect(await storage.getTrial(study.id, finished.number)).toMatchObject({ state: 'complete', value: 0.5 });
        expect((await storage.getTrial(study.id, finished.number))!.steps).toHaveLength(2);
        // A live owner keeps its trials however stale they look.
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: -1, liveOwners: ['host:3'] })).toEqual([]);
        // Nothing more to recover; the requeued trials come back first, with their sample index.
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: silentSinceT0(), deadOwners: ['host:1'] })).toEqual([]);
        const again = await storage.claimTrial(study.id, { maxTrials: 4, owner: 'host:4' });
        expect(again).toEqual({ id: dead.id, token: expect.any(String), number: dead.number, params: null, sampleIndex: dead.sampleIndex });
      });

      it('a heartbeat keeps a trial alive past its start', async () => {
        const study = await storage.createStudy(newStudy());
        const trial = await running(study, 'host:1', { lr: 0.1 });
        await new Promise((resolve) => setTimeout(resolve, 400));
        // Silent for 400 ms since its start, for ~0 ms since its beat.
        await storage.heartbeat('host:1');
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: 300 })).toEqual([]);
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 })).toEqual([
          { number: trial.number, owner: 'host:1', reason: 'no-heartbeat' },
        ]);
      });

      it('keeps a step metric named __proto__ as a metric', async () => {
        const study = await storage.createStudy(newStudy());
        const trial = await running(study, 'host:1', { lr: 0.1 }, 0);
        await storage.reportStep(trial, 0, JSON.parse('{"__proto__": 1, "loss": 2}') as Record<string, number>);
        const [step] = (await storage.getTrial(study.id, trial.number))!.steps;
        expect(Object.keys(step!.values).sort()).toEqual(['__proto__', 'loss']);
        expect(Object.getOwnPropertyDescriptor(step!.values, '__proto__')?.value).toBe(1);
        expect(Object.getPrototypeOf(step!.values)).toBe(Object.prototype);
      });

      it('releases every running trial of one owner, with steps, and none of the others', async () => {
        const study = await storage.createStudy(newStudy());
        const a = await running(study, 'me:1', { lr: 0.1 });
        const b = await running(study, 'me:1', { lr: 0.2 });
        const c = await running(study, 'you:2', { lr: 0.3 });
        expect(await storage.releaseTrialsOf('me:1')).toBe(2);
        expect(await storage.releaseTrialsOf('me:1')).toBe(0);
        for (const t of [a, b]) expect(await storage.getTrial(study.id, t.number)).toMatchObject({ state: 'queued', steps: [] });
        expect(await storage.getTrial(study.id, c.number)).toMatchObject({ state: 'running', owner: 'you:2' });
        // releaseTrial deletes steps too: a trial given back runs again from its first step.
        await storage.releaseTrial(c);
        expect(await storage.getTrial(study.id, c.number)).toMatchObject({ state: 'queued', steps: [] });
      });
    });

    describe('importing trials (hpsearch copy)', () => {
      it('stores a trial exactly as given, steps, NaN and times included, and refuses a number that is taken', async () => {
        const study = await storage.createStudy(newStudy());
        const trial = {
          id: 0, studyId: study.id, number: 3, sampleIndex: 5, state: 'complete' as const,
          params: { lr: 0.01, opt: 'adam', on: true, none: null }, value: 0.75,
          metrics: { val_accuracy: 0.75, nan: Number.NaN }, attrs: { backend: 'wasm' }, error: null,
          startedAt: 1_000, endedAt: 2_500, samplerState: { round: 1 }, seed: 99, owner: 'elsewhere:7',
          steps: [{ step: 0, values: { loss: 1, acc: Number.NaN } }, { step: 1, values: { loss: 0.5, acc: 0.7 } }],
        };
        await storage.importTrial(study.id, trial);
        expect(await storage.getTrial(study.id, 3)).toEqual({ ...trial, id: expect.any(Number) as number });
        const pruned = { ...trial, number: 4, sampleIndex: 6, state: 'pruned' as const, value: Number.POSITIVE_INFINITY, error: 'median: below', steps: [] };
        await storage.importTrial(study.id, pruned);
        expect(await storage.getTrial(study.id, 4)).toMatchObject({ state: 'pruned', value: Number.POSITIVE_INFINITY, error: 'median: below', steps: [] });
        await expect(storage.importTrial(study.id, { ...trial, sampleIndex: 50 })).rejects.toMatchObject({ code: 'E_USAGE' });
        // Numbering goes on after the imported ones.
        expect(await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' })).toMatchObject({ number: 5, sampleIndex: 7 });
      });
    });

    describe('kept models (run --save-models)', () => {
      const model = (seed: number, step: number | null = 2): ModelArtifact => ({
        modelJson: { format: 'layers-model', modelTopology: { seed }, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] },
        weights: new Uint8Array([seed, 0, 255, seed + 1]),
        input: seed % 2 === 0 ? { shape: [4], scaling: 'x / 255', labels: ['a', 'b'] } : null,
        step,
      });
      /** Claims a trial, finishes it complete with `value` and keeps `model(number)` under `keep`; resolves to [number, kept]. */
      async function finishWithModel(study: StudyRecord, value: number | null, top: number | 'all'): Promise<[number, boolean]> {
        const claimed = (await storage.claimTrial(study.id, { maxTrials: 1_000, owner: 'test:1' }))!;
        await storage.finishTrial(claimed, { state: 'complete', value });
        return [claimed.number, await storage.keepTrialModel(claimed, model(claimed.number), { top, direction: study.direction })];
      }
      const kept = async (study: StudyRecord): Promise<number[]> => (await storage.listTrialModels(study.id)).map((m) => m.number);

      it('round-trips a model, its bytes, input contract and step, and lists its size', async () => {
        const study = await storage.createStudy(newStudy());
        const before = Date.now();
        expect(await finishWithModel(study, 0.5, 3)).toEqual([0, true]);
        expect(await finishWithModel(study, 0.4, 3)).toEqual([1, true]);
        expect(await storage.getTrialModel(study.id, 0)).toEqual(model(0));
        expect(await storage.getTrialModel(study.id, 1)).toEqual(model(1));
        expect(await storage.getTrialModel(study.id, 7)).toBeNull();
        const bytes = JSON.stringify(model(0).modelJson).length + 4;
        const infos = await storage.listTrialModels(study.id);
        expect(infos).toEqual([{ number: 0, bytes, step: 2, savedAt: expect.any(Number) as number }, { number: 1, bytes, step: 2, savedAt: expect.any(Number) as number }]);
        expect(infos[0]!.savedAt).toBeGreaterThanOrEqual(before);
        const other = await storage.createStudy(newStudy({ name: 'other' }));
        expect((await storage.listStudies()).map((s) => s.models)).toEqual([{ count: 2, bytes: 2 * bytes }, { count: 0, bytes: 0 }]);
        expect(await storage.listTrialModels(other.id)).toEqual([]);
      });

      it('keeps the models of the best `top` complete trials only, ties by number, in either direction', async () => {
        for (const direction of ['maximize', 'minimize'] as const) {
          const study = await storage.createStudy(newStudy({ name: direction, direction }));
          const sign = direction === 'maximize' ? 1 : -1;
          expect(await finishWithModel(study, sign * 0.5, 2)).toEqual([0, true]);
          expect(await finishWithModel(study, sign * 0.7, 2)).toEqual([1, true]);
          // Worse than both: its own model goes at once.
          expect(await finishWithModel(study, sign * 0.1, 2)).toEqual([2, false]);
          expect(await kept(study)).toEqual([0, 1]);
          // A tie with trial 0: the lower number stays.
          expect(await finishWithModel(study, sign * 0.5, 2)).toEqual([3, false]);
          // No value ranks last.
          expect(await finishWithModel(study, null, 2)).toEqual([4, false]);
          // The best so far pushes trial 0 out.
          expect(await finishWithModel(study, sign * 0.9, 2)).toEqual([5, true]);
          expect(await kept(study)).toEqual([1, 5]);
          expect(await storage.getTrialModel(study.id, 0)).toBeNull();
        }
      });

      it("keeps every complete trial's model with top 'all', and a pruned or failed trial keeps none", async () => {
        const study = await storage.createStudy(newStudy());
        for (const value of [0.1, 0.2, 0.3]) await finishWithModel(study, value, 'all');
        expect(await kept(study)).toEqual([0, 1, 2]);
        for (const state of ['pruned', 'failed'] as const) {
          const claimed = (await storage.claimTrial(study.id, { maxTrials: 100, owner: 'o' }))!;
          await storage.finishTrial(claimed, { state, value: 5 });
          await expect(storage.keepTrialModel(claimed, model(1), { top: 'all', direction: 'maximize' })).rejects.toMatchObject({ code: 'E_USAGE' });
        }
        const running = (await storage.claimTrial(study.id, { maxTrials: 100, owner: 'o' }))!;
        await expect(storage.keepTrialModel(running, model(1), { top: 'all', direction: 'maximize' })).rejects.toMatchObject({ code: 'E_USAGE' });
        await expect(storage.keepTrialModel({ id: running.id, token: 'other' }, model(1), { top: 'all', direction: 'maximize' }))
          .rejects.toMatchObject({ code: 'E_TRIAL_TAKEN_OVER' });
        await expect(storage.keepTrialModel({ id: 999_999, token: null }, model(1), { top: 1, direction: 'maximize' }))
          .rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
        await expect(storage.keepTrialModel(running, model(1), { top: 0, direction: 'maximize' })).rejects.toMatchObject({ code: 'E_USAGE' });
        expect(await kept(study)).toEqual([0, 1, 2]);
      });

      it('imports a model as given (hpsearch copy), and refuses a trial the study does not have', async () => {
        const study = await storage.createStudy(newStudy());
        await addFinished(study, { state: 'complete', value: 0.5 });
        await storage.importTrialModel(study.id, 0, model(4, null), 1_234);
        expect(await storage.getTrialModel(study.id, 0)).toEqual(model(4, null));
        expect((await storage.listTrialModels(study.id))[0]).toMatchObject({ number: 0, step: null, savedAt: 1_234 });
        await expect(storage.importTrialModel(study.id, 5, model(4), 1)).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
      });
    });

    describe('trial data', () => {
      it('round-trips params of every kind, sampler state and seed', async () => {
        const study = await storage.createStudy(newStudy());
        const claimed = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        const params: Params = { lr: 0.000123, units: 64, act: 'relu', odd: 'NaN', inf: 'Infinity', bn: true, drop: false, init: null };
        await storage.setTrialParams(claimed, { params, samplerState: { round: 2 }, seed: 12345 });
        expect(await storage.getTrial(study.id, claimed.number)).toMatchObject({ params, samplerState: { round: 2 }, seed: 12345 });
        // Leaving sampler state and seed out keeps them.
        await storage.setTrialParams(claimed, { params: { lr: 0.5 } });
        expect(await storage.getTrial(study.id, claimed.number)).toMatchObject({ params: { lr: 0.5 }, samplerState: { round: 2 }, seed: 12345 });
        const queued = await storage.enqueueTrial(study.id, params);
        expect((await storage.listTrials(study.id, { states: ['queued'] }))[0]).toMatchObject({ id: queued.id, params });
      });

      it('starts the trial clock when its params are set, not when it was claimed', async () => {
        const study = await storage.createStudy(newStudy());
        const claimed = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        const claimedAt = (await storage.getTrial(study.id, claimed.number))!.startedAt!;
        await new Promise((resolve) => setTimeout(resolve, 25));
        const before = Date.now();
        await storage.setTrialParams(claimed, { params: { lr: 0.1 } });
        const startedAt = (await storage.getTrial(study.id, claimed.number))!.startedAt!;
        expect(startedAt).toBeGreaterThanOrEqual(before);
        expect(startedAt).toBeGreaterThan(claimedAt);
      });

      it('round-trips steps and final metrics including NaN and ±Infinity', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.reportStep(t, 2, { loss: Number.NaN });
        await storage.reportStep(t, 0, { loss: 9, acc: 0.1 });
        await storage.reportStep(t, 0, { loss: 1.5, acc: 0.25 }); // replaces step 0
        await storage.reportStep(t, 1, { loss: Infinity, acc: -Infinity });
        const metrics = { val_accuracy: 0.75, loss: Number.NaN, up: Infinity, down: -Infinity };
        await storage.finishTrial(t, { state: 'complete', value: Infinity, metrics });
        const detail = (await storage.getTrial(study.id, t.number))!;
        expect(detail.steps).toEqual([
          { step: 0, values: { loss: 1.5, acc: 0.25 } },
          { step: 1, values: { loss: Infinity, acc: -Infinity } },
          { step: 2, values: { loss: Number.NaN } },
        ]);
        expect(Number.isNaN(detail.steps[2]!.values.loss)).toBe(true);
        expect(detail.metrics).toEqual(metrics);
        expect(Number.isNaN(detail.metrics!.loss)).toBe(true);
        expect(detail).toMatchObject({ state: 'complete', value: Infinity, error: null });
        expect(detail.endedAt).toBeGreaterThanOrEqual(detail.startedAt!);
      });

      it('keeps finished trials immutable', async () => {
        const study = await storage.createStudy(newStudy());
        for (const state of ['complete', 'pruned', 'failed'] as const) {
          const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
          await storage.finishTrial(t, { state, value: 1, error: state === 'complete' ? null : 'why' });
          await expect(storage.finishTrial(t, { state: 'complete', value: 2 })).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
          await expect(storage.reportStep(t, 0, { loss: 1 })).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
          await expect(storage.setTrialParams(t, { params: { a: 1 } })).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
          expect(await storage.getTrial(study.id, t.number)).toMatchObject({ state, value: 1, params: {}, steps: [] });
        }
      });

      it('returns snapshots that later writes do not change', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.reportStep(t, 0, { loss: 1 });
        const reads = {
          study: await storage.getStudy('mnist'),
          list: await storage.listStudies(),
          trial: await storage.getTrial(study.id, t.number),
          trials: await storage.listTrials(study.id),
          counts: await storage.countTrials(study.id),
          board: await storage.leaderboard(study.id, { top: 5, direction: 'maximize', states: ['running'] }),
        };
        const copy = structuredClone(reads);
        await storage.setTrialParams(t, { params: { lr: 1 }, samplerState: { round: 1 } });
        await storage.reportStep(t, 0, { loss: 2 });
        await storage.reportStep(t, 1, { loss: 3 });
        await storage.finishTrial(t, { state: 'complete', value: 3, metrics: { a: 1 } });
        await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' });
        expect(reads).toEqual(copy);
      });

      it('counts trials per state and filters lists by state and sampler state', async () => {
        const study = await storage.createStudy(newStudy());
        for (let i = 0; i < 4; i++) {
          const t = (await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' }))!;
          await storage.setTrialParams(t, { params: { i }, samplerState: { round: i % 2 } });
          if (i < 3) await storage.finishTrial(t, { state: i === 2 ? 'failed' : 'complete', value: i });
        }
        await storage.enqueueTrial(study.id, {});
        expect(await storage.countTrials(study.id)).toEqual({ queued: 1, running: 1, complete: 2, pruned: 0, failed: 1 });
        expect((await storage.listTrials(study.id)).map((t) => t.number)).toEqual([0, 1, 2, 3, 4]);
        expect((await storage.listTrials(study.id, { states: ['complete', 'failed'] })).map((t) => t.number)).toEqual([0, 1, 2]);
        expect((await storage.listTrials(study.id, { samplerState: { round: 1 } })).map((t) => t.number)).toEqual([1, 3]);
        expect((await storage.listTrials(study.id, { samplerState: { round: 0 }, states: ['complete'] })).map((t) => t.number)).toEqual([0]);
        // Numbers above 2, and 0 and 1 besides: what an incremental reader asks for.
        expect((await storage.listTrials(study.id, { numbers: { above: 2, among: [0] } })).map((t) => t.number)).toEqual([0, 3, 4]);
        expect((await storage.listTrials(study.id, { numbers: { above: 4, among: [] } })).map((t) => t.number)).toEqual([]);
        expect((await storage.listTrials(study.id, { numbers: { above: -1, among: [] }, states: ['failed'] })).map((t) => t.number)).toEqual([2]);
        expect(await storage.getTrial(study.id, 99)).toBeNull();
      });
    });

    describe('params asked for while a trial runs (define-by-run)', () => {
      it('adds them after the params the trial has, in the order given, keeping its clock and sampler state', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(t, { params: { lr: 0.01, opt: 'sgd' }, samplerState: { phase: 'startup' }, seed: 3 });
        const before = (await storage.getTrial(study.id, t.number))!;
        await storage.addTrialParams(t, { momentum: 0.9 });
        await storage.addTrialParams(t, { act: null, odd: 'NaN', deep: true, units: 64 });
        const after = (await storage.getTrial(study.id, t.number))!;
        expect(after.params).toEqual({ lr: 0.01, opt: 'sgd', momentum: 0.9, act: null, odd: 'NaN', deep: true, units: 64 });
        expect(Object.keys(after.params)).toEqual(['lr', 'opt', 'momentum', 'act', 'odd', 'deep', 'units']);
        expect(after).toMatchObject({ state: 'running', samplerState: { phase: 'startup' }, seed: 3, startedAt: before.startedAt });
        // A finished trial keeps them, and samplers read them from the list.
        await storage.finishTrial(t, { state: 'complete', value: 1 });
        expect((await storage.listTrials(study.id))[0]!.params).toEqual(after.params);
      });

      it('takes a param the trial has only with the value it has: again is a no-op, another value E_USAGE naming both, and nothing of that write is stored', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(t, { params: { lr: 0.01 } });
        await storage.addTrialParams(t, { lr: 0.01, units: 8 });
        await storage.addTrialParams(t, { units: 8 });
        await expect(storage.addTrialParams(t, { extra: 'x', units: 16 })).rejects.toMatchObject({
          code: 'E_USAGE', message: expect.stringMatching(/has param "units" = 8 already, and cannot be given 16/),
        });
        await expect(storage.addTrialParams(t, { lr: '0.01' })).rejects.toMatchObject({ code: 'E_USAGE' });
        expect((await storage.getTrial(study.id, t.number))!.params).toEqual({ lr: 0.01, units: 8 });
      });

      it('keeps a param named __proto__ as a param', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.addTrialParams(t, JSON.parse('{"__proto__": "kept"}') as Params);
        const { params } = (await storage.getTrial(study.id, t.number))!;
        expect(Object.getOwnPropertyDescriptor(params, '__proto__')?.value).toBe('kept');
        expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
      });

      it('only while the trial runs: queued is E_USAGE, finished E_TRIAL_FINISHED, unknown E_TRIAL_NOT_FOUND; a release forgets them', async () => {
        const study = await storage.createStudy(newStudy());
        const queued = { id: (await storage.enqueueTrial(study.id, { lr: 1 })).id, token: null };
        await expect(storage.addTrialParams(queued, { units: 2 })).rejects.toMatchObject({
          code: 'E_USAGE', message: expect.stringMatching(/is queued; only a trial that is running can be given the params its objective asks for/),
        });
        await expect(storage.addTrialParams({ id: 987_654, token: null }, { units: 2 })).rejects.toMatchObject({ code: 'E_TRIAL_NOT_FOUND' });
        const done = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        expect(done.id).toBe(queued.id);
        await storage.finishTrial(done, { state: 'complete', value: 1 });
        await expect(storage.addTrialParams(done, { units: 2 })).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
        expect((await storage.getTrial(study.id, done.number))!.params).toEqual({ lr: 1 });
        // An enqueued trial goes back to what it was given, a sampled one to nothing.
        const enqueued = await storage.enqueueTrial(study.id, { lr: 2 });
        const e = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        expect(e.id).toBe(enqueued.id);
        await storage.addTrialParams(e, { units: 4 });
        await storage.releaseTrial(e);
        expect((await storage.getTrial(study.id, e.number))!.params).toEqual({ lr: 2 });
        const again = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        const drawn = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        expect(again.id).toBe(e.id);
        await storage.setTrialParams(drawn, { params: { lr: 3 } });
        await storage.addTrialParams(drawn, { units: 4 });
        await storage.releaseTrial(drawn);
        expect((await storage.getTrial(study.id, drawn.number))!).toMatchObject({ state: 'queued', params: {} });
      });
    });

    describe('sampler state', () => {
      it('round-trips any JSON object exactly, keeps it when left out, and filters on its keys', async () => {
        const study = await storage.createStudy(newStudy());
        // A key named __proto__ must stay a key (JSON.parse makes it an own property, as here).
        const state = JSON.parse(`{"round": 2, "bracket": "b1", "weights": [0.25, -1e-9, 3], "nested": {"ok": true, "none": null, "deep": [{"k": "v"}]},
          "__proto__": "kept", "": "empty key", "ünï \\"quoted\\"": 1.5}`) as SamplerState;
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(t, { params: { lr: 0.1 }, samplerState: state });
        const stored = (await storage.getTrial(study.id, t.number))!.samplerState;
        expect(stored).toEqual(state);
        expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toBe('kept');
        expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
        // Left out, it is kept.
        await storage.setTrialParams(t, { params: { lr: 0.2 } });
        expect((await storage.getTrial(study.id, t.number))!.samplerState).toEqual(state);
        const other = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(other, { params: {}, samplerState: { round: '2', bracket: 'b1' } });
        // Values compare by type: the string '2' is not the number 2.
        expect((await storage.listTrials(study.id, { samplerState: { round: 2 } })).map((x) => x.number)).toEqual([t.number]);
        expect((await storage.listTrials(study.id, { samplerState: { bracket: 'b1' } })).map((x) => x.number)).toEqual([t.number, other.number]);
        expect(await storage.listTrials(study.id, { samplerState: { missing: null } })).toEqual([]);
        // Trials nobody drew carry {}.
        const queued = await storage.enqueueTrial(study.id, { lr: 1 });
        expect(queued.samplerState).toEqual({});
      });

      it('rejects what JSON would not give back, with E_USAGE, and stores nothing', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(t, { params: {}, samplerState: { round: 1 } });
        for (const bad of [{ x: Number.NaN }, { x: Infinity }, { x: [1, -Infinity] }, { x: undefined }, [1, 2], null]) {
          await expect(storage.setTrialParams(t, { params: {}, samplerState: bad as never })).rejects.toMatchObject({ code: 'E_USAGE' });
        }
        expect((await storage.getTrial(study.id, t.number))!.samplerState).toEqual({ round: 1 });
      });

      it('is cleared by a release and by recovery, and kept by finishing and by importing', async () => {
        const study = await storage.createStudy(newStudy());
        const a = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'dead:1' }))!;
        await storage.setTrialParams(a, { params: { lr: 1 }, samplerState: { round: 3 } });
        await storage.recoverStaleTrials(study.id, { staleAfterMs: Number.MAX_SAFE_INTEGER, deadOwners: ['dead:1'] });
        expect((await storage.getTrial(study.id, a.number))!).toMatchObject({ state: 'queued', samplerState: {}, params: {} });
        const b = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        await storage.setTrialParams(b, { params: { lr: 1 }, samplerState: { round: 4 } });
        await storage.finishTrial(b, { state: 'complete', value: 1 });
        const finished = (await storage.getTrial(study.id, b.number))!;
        expect(finished.samplerState).toEqual({ round: 4 });
        const copy = await storage.createStudy(newStudy({ name: 'copy' }));
        await storage.importTrial(copy.id, finished);
        expect((await storage.getTrial(copy.id, b.number))!.samplerState).toEqual({ round: 4 });
        expect((await storage.leaderboard(copy.id, { top: 1, direction: 'maximize' }))[0]!.samplerState).toEqual({ round: 4 });
      });
    });

    describe('trial attrs', () => {
      it('stores the known attrs with their types and any other keys as given', async () => {
        const study = await storage.createStudy(newStudy());
        const attrs = { backend: 'wasm', tensors_leaked: 2, best_step: 4, stopped_at: 6, stop_reason: 'early stopping', custom: true, note: 'x' };
        const number = await addFinished(study, { state: 'complete', value: 1, attrs });
        expect((await storage.getTrial(study.id, number))!.attrs).toEqual(attrs);
      });

      it('refuses a known attr of the wrong type with E_USAGE naming it, and leaves the trial running', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        for (const attrs of [{ backend: 3 }, { best_step: '4' }, { stopped_at: Number.NaN }, { tensors_leaked: null }]) {
          await expect(storage.finishTrial(t, { state: 'complete', value: 1, attrs: attrs as never })).rejects.toMatchObject({
            code: 'E_USAGE', message: expect.stringContaining(`trial attr "${Object.keys(attrs)[0]!}"`),
          });
        }
        expect((await storage.getTrial(study.id, t.number))!.state).toBe('running');
      });
    });

    describe('state transitions', () => {
      it('refuses a transition its from-states do not allow: releasing a queued trial is E_USAGE, a finished one E_TRIAL_FINISHED', async () => {
        const study = await storage.createStudy(newStudy());
        const queued = { id: (await storage.enqueueTrial(study.id, { lr: 1 })).id, token: null };
        await expect(storage.releaseTrial(queued)).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/is queued; only a trial that is running can be released/) });
        // A queued trial may be given params and finished by hand.
        await storage.setTrialParams(queued, { params: { lr: 2 } });
        await storage.finishTrial(queued, { state: 'failed', error: 'skipped' });
        await expect(storage.releaseTrial(queued)).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
        await expect(storage.finishTrial(queued, { state: 'running' as never })).rejects.toMatchObject({ code: 'E_USAGE' });
      });
    });

    describe('claim tokens: only the run holding a trial writes to it', () => {
      const TAKEN_OVER = { code: 'E_TRIAL_TAKEN_OVER', message: expect.stringMatching(/^trial \d+ was taken over by another run/) };

      /** Trial `a` claimed by host-a, which stalls; recovery takes it over and host-b claims it. */
      async function takenOver() {
        const study = await storage.createStudy(newStudy());
        const a = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
        await storage.setTrialParams(a, { params: { lr: 0.1 }, samplerState: { by: 'a' } });
        await storage.reportStep(a, 0, { loss: 9 });
        expect(await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 })).toHaveLength(1);
        const b = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-b:2:bb' }))!;
        expect(b.id).toBe(a.id);
        return { study, a, b };
      }

      it('gives each claim its own token, and a new one when a released trial is claimed again', async () => {
        const study = await storage.createStudy(newStudy());
        const x = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        const y = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        expect(x.token).toMatch(/^[0-9a-f-]{36}$/);
        expect(y.token).not.toBe(x.token);
        await storage.releaseTrial(x);
        const again = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        expect(again.id).toBe(x.id);
        expect(again.token).not.toBe(x.token);
        // The old claim ended with the release.
        await expect(storage.reportStep(x, 0, { loss: 1 })).rejects.toMatchObject(TAKEN_OVER);
      });

      it("refuses every write of a claim that was taken over, and changes nothing of the new claim's trial", async () => {
        const { study, a, b } = await takenOver();
        await storage.setTrialParams(b, { params: { lr: 0.2 }, samplerState: { by: 'b' }, seed: 5 });
        await storage.reportStep(b, 0, { loss: 1 });
        await expect(storage.setTrialParams(a, { params: { lr: 0.9 }, samplerState: { by: 'a' }, seed: 9 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.addTrialParams(a, { units: 3 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.reportStep(a, 0, { loss: 8 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.reportStep(a, 1, { loss: 7 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.releaseTrial(a)).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.finishTrial(a, { state: 'complete', value: 0.99 })).rejects.toMatchObject(TAKEN_OVER);
        expect(await storage.getTrial(study.id, b.number)).toMatchObject({
          state: 'running', owner: 'host-b:2:bb', params: { lr: 0.2 }, samplerState: { by: 'b' }, seed: 5, value: null,
          steps: [{ step: 0, values: { loss: 1 } }],
        });
        // Once the new owner has finished it, the old one is still told it was taken over, not that it finished.
        await storage.finishTrial(b, { state: 'complete', value: 0.5 });
        await expect(storage.finishTrial(a, { state: 'complete', value: 0.99 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.finishTrial(b, { state: 'complete', value: 0.6 })).rejects.toMatchObject({ code: 'E_TRIAL_FINISHED' });
        expect(await storage.getTrial(study.id, b.number)).toMatchObject({ state: 'complete', value: 0.5 });
      });

      it('refuses the old claim while the trial waits in the queue after recovery', async () => {
        const study = await storage.createStudy(newStudy());
        const a = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
        await storage.recoverStaleTrials(study.id, { staleAfterMs: -1 });
        await expect(storage.reportStep(a, 0, { loss: 8 })).rejects.toMatchObject(TAKEN_OVER);
        await expect(storage.finishTrial(a, { state: 'complete', value: 1 })).rejects.toMatchObject(TAKEN_OVER);
        expect(await storage.getTrial(study.id, a.number)).toMatchObject({ state: 'queued', value: null, steps: [] });
      });

      it('refuses a write naming no claim to a trial another run holds, naming that run', async () => {
        const study = await storage.createStudy(newStudy());
        const a = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
        await expect(storage.finishTrial({ id: a.id, token: null }, { state: 'complete', value: 1 })).rejects.toMatchObject({
          code: 'E_USAGE', message: expect.stringContaining('claimed by the run host-a:1:aa'),
        });
        await expect(storage.reportStep({ id: a.id, token: null }, 0, { loss: 1 })).rejects.toMatchObject({ code: 'E_USAGE' });
        await expect(storage.addTrialParams({ id: a.id, token: null }, { units: 1 })).rejects.toMatchObject({ code: 'E_USAGE' });
        expect(await storage.getTrial(study.id, a.number)).toMatchObject({ state: 'running', params: {}, steps: [] });
      });

      it("tells which leases still hold their trial, and a beat counts only the owner's trials still held", async () => {
        const { study, a, b } = await takenOver();
        const c = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
        const d = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
        await storage.finishTrial(d, { state: 'complete', value: 1 });
        expect((await storage.heldTrials([a, c, d, b])).sort((x, y) => x - y)).toEqual([c.id, d.id, b.id].sort((x, y) => x - y));
        expect(await storage.heldTrials([])).toEqual([]);
        expect(await storage.heldTrials([{ id: c.id, token: null }, { id: 987_654, token: c.token }])).toEqual([]);
        // host-a holds a (lost), c (running) and d (finished): one is refreshed.
        expect(await storage.heartbeat('host-a:1:aa')).toBe(1);
      });
    });

    describe('measurements', () => {
      it('keeps a JSON value by key for every later reader, replacing it when put again', async () => {
        expect(await storage.getMeasurement('backend:mlp-784-100')).toBeNull();
        const before = Date.now();
        await storage.putMeasurement('backend:mlp-784-100', { backend: 'tensorflow', ms: { tensorflow: 4.1, wasm: 9.5 } });
        const kept = await storage.getMeasurement('backend:mlp-784-100');
        expect(kept!.value).toEqual({ backend: 'tensorflow', ms: { tensorflow: 4.1, wasm: 9.5 } });
        expect(kept!.measuredAt).toBeGreaterThanOrEqual(before - 60_000);
        await storage.putMeasurement('backend:mlp-784-100', { backend: 'wasm' });
        expect((await storage.getMeasurement('backend:mlp-784-100'))!.value).toEqual({ backend: 'wasm' });
        expect(await storage.getMeasurement("x'; DROP TABLE measurements;--")).toBeNull();
        await expect(storage.putMeasurement('bad', { ms: Number.NaN })).rejects.toMatchObject({ code: 'E_USAGE' });
        expect(await storage.getMeasurement('bad')).toBeNull();
      });
    });

    describe('step values (what pruners read)', () => {
      it('returns every trial\'s value of one metric at one step, any state, NaN kept, by number', async () => {
        const study = await storage.createStudy(newStudy());
        const other = await storage.createStudy(newStudy({ name: 'other' }));
        const values = [0.5, Number.NaN, 0.25, 0.75];
        const ids: ClaimedTrial[] = [];
        for (const [i, value] of values.entries()) {
          const t = (await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' }))!;
          ids.push(t);
          await storage.reportStep(t, 1, { acc: value, loss: i });
          if (i !== 2) await storage.reportStep(t, 2, { acc: value + 1 });
        }
        await storage.finishTrial(ids[0]!, { state: 'complete', value: 1.5 });
        await storage.finishTrial(ids[3]!, { state: 'pruned', value: 0.75, error: 'pruned' });
        const o = (await storage.claimTrial(other.id, { maxTrials: 10, owner: 'o' }))!;
        await storage.reportStep(o, 1, { acc: 99 });

        const atOne = await storage.stepValues(study.id, 'acc', 1);
        expect(atOne.map((v) => [v.number, v.state])).toEqual([[0, 'complete'], [1, 'running'], [2, 'running'], [3, 'pruned']]);
        expect(atOne.map((v) => v.value)).toEqual([0.5, Number.NaN, 0.25, 0.75]);
        expect((await storage.stepValues(study.id, 'acc', 2)).map((v) => v.number)).toEqual([0, 1, 3]);
        expect((await storage.stepValues(study.id, 'loss', 1)).map((v) => v.value)).toEqual([0, 1, 2, 3]);
        expect(await storage.stepValues(study.id, 'acc', 3)).toEqual([]);
        expect(await storage.stepValues(study.id, 'nope', 1)).toEqual([]);
      });
    });

    describe('leaderboard', () => {
      /** Trials 0..7: values 3, null, 5, 5, 1, failed, pruned 10, 0. */
      async function seedBoard(direction: Direction): Promise<StudyRecord> {
        const study = await storage.createStudy(newStudy({ direction }));
        const results: TrialFinish[] = [
          { state: 'complete', value: 3 }, { state: 'complete', value: null }, { state: 'complete', value: 5 },
          { state: 'complete', value: 5 }, { state: 'complete', value: 1 }, { state: 'failed', error: 'nan loss' },
          { state: 'pruned', value: 10, error: 'pruned at step 1' }, { state: 'complete', value: 0 },
        ];
        for (const [i, result] of results.entries()) await addFinished(study, result, { i });
        return study;
      }

      it('ranks maximize best first, ties by number, NULL values last', async () => {
        const study = await seedBoard('maximize');
        const rows = await storage.leaderboard(study.id, { top: 10, direction: 'maximize' });
        expect(rows.map((r) => r.number)).toEqual([2, 3, 0, 4, 7, 1]);
        expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(rows[0]).toMatchObject({ state: 'complete', value: 5, params: { i: 2 }, steps: 0, samplerState: {}, error: null });
        expect(rows[0]!.durationMs).toBeGreaterThanOrEqual(0);
        expect(rows[5]!.value).toBeNull();
      });

      it('ranks minimize best first and honours top and states', async () => {
        const study = await seedBoard('minimize');
        const rows = await storage.leaderboard(study.id, { top: 10, direction: 'minimize' });
        expect(rows.map((r) => r.number)).toEqual([7, 4, 0, 2, 3, 1]);
        const top3 = await storage.leaderboard(study.id, { top: 3, direction: 'minimize' });
        expect(top3.map((r) => r.number)).toEqual([7, 4, 0]);
        const all = await storage.leaderboard(study.id, { top: 20, direction: 'maximize', states: ['complete', 'pruned', 'failed'] });
        expect(all.map((r) => r.number)).toEqual([6, 2, 3, 0, 4, 7, 1, 5]);
        expect(all[7]).toMatchObject({ state: 'failed', value: null, error: 'nan loss' });
        expect(await storage.leaderboard(study.id, { top: 0, direction: 'maximize' })).toEqual([]);
        expect(await storage.leaderboard(study.id, { top: Infinity, direction: 'maximize' })).toHaveLength(6);
      });

      it('carries each row\'s attrs', async () => {
        const study = await storage.createStudy(newStudy());
        await addFinished(study, { state: 'complete', value: 1, attrs: { stop_reason: 'early stopping', best_step: 3 } });
        await addFinished(study, { state: 'complete', value: 0 });
        const rows = await storage.leaderboard(study.id, { top: 5, direction: 'maximize' });
        expect(rows.map((r) => r.attrs)).toEqual([{ stop_reason: 'early stopping', best_step: 3 }, null]);
      });

      it('counts reported steps of each row', async () => {
        const study = await storage.createStudy(newStudy());
        const t = (await storage.claimTrial(study.id, { maxTrials: 5, owner: 'o' }))!;
        for (let step = 0; step < 3; step++) await storage.reportStep(t, step, { loss: 1, acc: 0.5 });
        await storage.finishTrial(t, { state: 'complete', value: 0.5 });
        expect((await storage.leaderboard(study.id, { top: 1, direction: 'maximize' }))[0]).toMatchObject({ number: 0, steps: 3 });
      });
    });
  });
}
