import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import type { TrialContext } from '../../src/study/objective.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const SAVES_MODEL = join(OBJECTIVES, 'saves-model.mjs');

async function savingStudy(name: string, top: number | 'all' | null, trials = 8): Promise<Study> {
  return createStudy({
    name,
    storage: join(tempDir(), `${name}.db`),
    direction: 'maximize',
    metric: 'val_accuracy',
    seed: 11,
    search: { strategy: 'random', trials },
    params: { x: { type: 'float', low: 0, high: 1 } },
    ...(top === null ? {} : { save_models: { top } }),
  });
}

/** The numbers of the trials that keep a model, and of the best `top` complete ones. */
async function keptAndBest(study: Study, top: number): Promise<{ kept: number[]; best: number[] }> {
  const kept = (await study.storage.listTrialModels(study.id)).map((m) => m.number);
  const best = (await study.leaderboard({ top })).map((row) => row.number).sort((a, b) => a - b);
  return { kept, best };
}

describe('keeping trained models (save_models)', () => {
  it('keeps exactly the best 2 complete trials\' models after 8 trials on 2 worker threads, none of pruned ones', async () => {
    const study = await savingStudy('top2', 2);
    try {
      await study.optimize(SAVES_MODEL, { workers: 2 });
      const counts = await study.counts();
      expect(counts.complete + counts.pruned).toBe(8);
      const { kept, best } = await keptAndBest(study, 2);
      expect(kept).toEqual(best);
      expect(kept).toHaveLength(2);
      const pruned = (await study.trials({ states: ['pruned'] })).map((t) => t.number);
      // Pruned trials sent models too (the fixture saves before it is told to stop): none is kept.
      expect(pruned.length).toBeGreaterThan(0);
      expect(kept.filter((n) => pruned.includes(n))).toEqual([]);
      // The kept model is the objective's: its predictions on the fixture's input are the ones it reported.
      const number = kept[0]!;
      const stored = (await study.model(number))!;
      expect(stored.input).toBeNull();
      expect(stored.step).toBe(0);
      expect(stored.modelJson).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'] }] });
      const trial = (await study.trial(number))!;
      const { INPUT } = (await import(SAVES_MODEL)) as { INPUT: number[][] };
      await tf.setBackend('cpu');
      const model = await tf.loadLayersModel(tf.io.fromMemory({
        modelTopology: stored.modelJson['modelTopology'] as object,
        weightSpecs: (stored.modelJson['weightsManifest'] as { weights: tf.io.WeightsManifestEntry[] }[])[0]!.weights,
        weightData: stored.weights.slice().buffer,
      }));
      const out = Array.from((model.predict(tf.tensor2d(INPUT)) as tf.Tensor).dataSync());
      expect(out[0]).toBeCloseTo(trial.metrics!['pred0']!, 6);
      expect(out[1]).toBeCloseTo(trial.metrics!['pred1']!, 6);
      model.dispose();
    } finally {
      await study.close();
    }
  });

  it("keeps every complete trial's model with top 'all', and a run's saveModels overrides the space's", async () => {
    const study = await savingStudy('all', 1, 6);
    try {
      await study.optimize(SAVES_MODEL, { workers: 2, saveModels: { top: 'all' } });
      const complete = (await study.trials({ states: ['complete'] })).map((t) => t.number);
      expect((await study.storage.listTrialModels(study.id)).map((m) => m.number)).toEqual(complete);
      expect(complete.length).toBeGreaterThan(1);
    } finally {
      await study.close();
    }
  });

  it('keeps none without save_models, and a function objective on this thread keeps its model too', async () => {
    const none = await savingStudy('none', null, 3);
    try {
      await none.optimize(SAVES_MODEL, { workers: 2 });
      expect(await none.storage.listTrialModels(none.id)).toEqual([]);
      expect((await none.storage.listStudies())[0]!.models).toEqual({ count: 0, bytes: 0 });
    } finally {
      await none.close();
    }
    const inProcess = await savingStudy('function', 1, 6);
    try {
      const { default: objective } = (await import(SAVES_MODEL)) as { default: (p: unknown, c: TrialContext) => Promise<unknown> };
      await inProcess.optimize(objective as never, { workers: 1 });
      expect((await inProcess.counts()).complete).toBeGreaterThan(1);
      const { kept, best } = await keptAndBest(inProcess, 1);
      expect(kept).toEqual(best);
      expect(kept).toHaveLength(1);
    } finally {
      await inProcess.close();
    }
  });

  it('refuses saveModels with a top that is not a positive integer', async () => {
    const study = await savingStudy('bad', null, 2);
    try {
      await expect(study.optimize(SAVES_MODEL, { saveModels: { top: 0 } })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/saveModels\.top/) as string });
      expect(await study.counts()).toMatchObject({ complete: 0, running: 0 });
    } finally {
      await study.close();
    }
  });
});
