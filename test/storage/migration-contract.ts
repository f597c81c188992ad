import { afterEach, describe, expect, it } from 'vitest';
import { narrowingRound } from '../../src/samplers/narrowing.js';
import type { Storage } from '../../src/storage/storage.js';
import type { TrialState } from '../../src/trial-state.js';

/** A trial as schema 3 stored it: narrowing's round in its own column. */
export interface Schema3Trial {
  number: number;
  sampleIndex: number | null;
  state: TrialState;
  params: string;
  value: number | null;
  round: number | null;
  attrs: string | null;
}

/** The trials every backend's schema-3 database starts with, in study "legacy" (maximize, metric acc). */
export const SCHEMA3_TRIALS: readonly Schema3Trial[] = [
  { number: 0, sampleIndex: 0, state: 'complete', params: '{"lr":0.1}', value: 0.5, round: 0, attrs: '{"backend":"cpu","best_step":3}' },
  { number: 1, sampleIndex: 1, state: 'failed', params: '{"lr":0.2}', value: null, round: 0, attrs: null },
  { number: 2, sampleIndex: 2, state: 'running', params: '{"lr":0.3}', value: null, round: 1, attrs: null },
  { number: 3, sampleIndex: null, state: 'queued', params: '{"lr":0.4}', value: null, round: null, attrs: null },
];

/**
 * Migration 4 (sampler state), the same on every backend. `upgrade` builds a database at schema 3
 * holding study "legacy" with SCHEMA3_TRIALS, written with that schema's own columns, then opens it
 * with the current code (which migrates it); the suite closes the storage.
 */
export function migrationContract(name: string, upgrade: () => Promise<Storage>): void {
  describe(`migration contract: ${name}`, () => {
    let storage: Storage | undefined;
    afterEach(async () => {
      await storage?.close();
      storage = undefined;
    });

    it('migration 4 keeps each trial\'s narrowing round, as sampler state { round }, and nothing else changes', async () => {
      storage = await upgrade();
      const study = (await storage.getStudy('legacy'))!;
      const trials = await storage.listTrials(study.id);
      expect(trials.map((t) => t.samplerState)).toEqual([{ round: 0 }, { round: 0 }, { round: 1 }, {}]);
      expect(trials.map(narrowingRound)).toEqual([0, 0, 1, null]);
      expect(trials.map((t) => [t.number, t.sampleIndex, t.state, t.params, t.value])).toEqual(
        SCHEMA3_TRIALS.map((t) => [t.number, t.sampleIndex, t.state, JSON.parse(t.params), t.value]),
      );
      expect(trials[0]!.attrs).toEqual({ backend: 'cpu', best_step: 3 });
      expect((await storage.listTrials(study.id, { samplerState: { round: 0 } })).map((t) => t.number)).toEqual([0, 1]);
      const board = await storage.leaderboard(study.id, { top: 5, direction: 'maximize' });
      expect(board.map((row) => row.samplerState)).toEqual([{ round: 0 }]);
    });

    it('writes and reads sampler state on the upgraded database, and releases clear it', async () => {
      storage = await upgrade();
      const study = (await storage.getStudy('legacy'))!;
      const queued = (await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' }))!;
      expect(queued.number).toBe(3);
      const fresh = (await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' }))!;
      expect(fresh).toMatchObject({ number: 4, sampleIndex: 3 });
      await storage.setTrialParams(fresh, { params: { lr: 0.5 }, samplerState: { round: 1, bracket: 'b0' } });
      expect((await storage.getTrial(study.id, 4))!.samplerState).toEqual({ round: 1, bracket: 'b0' });
      await storage.releaseTrial(fresh);
      expect((await storage.getTrial(study.id, 4))!).toMatchObject({ state: 'queued', samplerState: {}, params: {} });
      // The old running trial keeps its round until it is released.
      const running = (await storage.listTrials(study.id, { states: ['running'] })).find((t) => t.number === 2)!;
      expect(running.samplerState).toEqual({ round: 1 });
    });

    it('migration 7 keeps the params of a trial enqueued before as the given ones: filled in and released, it goes back to them', async () => {
      storage = await upgrade();
      const study = (await storage.getStudy('legacy'))!;
      const queued = (await storage.claimTrial(study.id, { maxTrials: 10, owner: 'o' }))!;
      expect(queued).toMatchObject({ number: 3, params: { lr: 0.4 }, sampleIndex: null });
      await storage.setTrialParams(queued, { params: { lr: 0.4, wd: 0.001 }, samplerState: { filled: true } });
      await storage.releaseTrial(queued);
      expect((await storage.getTrial(study.id, 3))!).toMatchObject({ state: 'queued', params: { lr: 0.4 }, samplerState: {} });
    });

    it('migration 8 adds kept models: a complete trial of the old study keeps one, the others none', async () => {
      storage = await upgrade();
      const study = (await storage.getStudy('legacy'))!;
      expect((await storage.listStudies()).find((s) => s.name === 'legacy')!.models).toEqual({ count: 0, bytes: 0 });
      const [complete, failed] = await storage.listTrials(study.id);
      const model = { modelJson: { format: 'layers-model' }, weights: new Uint8Array([1, 2, 3]), input: null, step: 3 };
      expect(await storage.keepTrialModel({ id: complete!.id, token: null }, model, { top: 1, direction: 'maximize' })).toBe(true);
      await expect(storage.keepTrialModel({ id: failed!.id, token: null }, model, { top: 1, direction: 'maximize' })).rejects.toMatchObject({ code: 'E_USAGE' });
      expect(await storage.getTrialModel(study.id, 0)).toEqual(model);
      expect((await storage.listTrialModels(study.id)).map((m) => m.number)).toEqual([0]);
    });
  });
}
