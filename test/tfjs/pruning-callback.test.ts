import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import type { TrialContext } from '../../src/study/objective.js';
import type { Metrics } from '../../src/space/types.js';
import { pruningCallback } from '../../src/tfjs/pruning-callback.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const FIT_CALLBACK = join(OBJECTIVES, 'fit-callback.mjs');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Our own TrialContext, recording reports; shouldPrune says yes from step `pruneAt` on. */
function recordingContext(pruneAt = Number.POSITIVE_INFINITY): TrialContext & { reports: Array<[number, Metrics]> } {
  const reports: Array<[number, Metrics]> = [];
  const noSuggest = () => Promise.reject(new Error('this test asks for no params'));
  return {
    study: 'unit',
    number: 0,
    seed: 1,
    params: {},
    reports,
    report(step, metrics) {
      reports.push([step, metrics]);
    },
    shouldPrune: async () => (reports.at(-1)?.[0] ?? 0) >= pruneAt,
    suggestFloat: noSuggest,
    suggestInt: noSuggest,
    suggestCategorical: noSuggest,
    saveModel: () => Promise.reject(new Error('this test keeps no model')),
  };
}

/** A seeded 2-4-1 classifier and 32 points to fit it on, with 16 for validation. */
function problem() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const rows = Array.from({ length: 48 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  const labels = rows.map(([a, b]) => [a! + b! > 0 ? 1 : 0]);
  return { model, rows, labels };
}

describe('pruningCallback with a real TF.js model', () => {
  it('reports every epoch of model.fit as step epoch + 1 with the logs TF.js names, and lets fit run out when nothing says stop', async () => {
    const { model, rows, labels } = problem();
    const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
    const ctx = recordingContext();
    const callback = pruningCallback(ctx, { monitor: 'val_acc' });
    const history = await model.fit(xs, ys, { epochs: 4, batchSize: 16, validationSplit: 0.25, callbacks: [callback], verbose: 0 });
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expect(ctx.reports.map(([step]) => step)).toEqual([1, 2, 3, 4]);
    for (const [step, metrics] of ctx.reports) {
      expect(Object.keys(metrics).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
      expect(metrics['val_loss']).toBeCloseTo(history.history['val_loss']![step - 1] as number, 6);
    }
    expect(callback.stopped).toBe(false);
    expect(callback.lastStep).toBe(4);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('sets model.stopTraining when shouldPrune says so: fit returns normally after that epoch', async () => {
    const { model, rows, labels } = problem();
    const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
    const ctx = recordingContext(2);
    const callback = pruningCallback(ctx, { monitor: 'val_loss' });
    const history = await model.fit(xs, ys, { epochs: 10, batchSize: 16, validationSplit: 0.25, callbacks: [callback], verbose: 0 });
    expect(history.epoch).toEqual([0, 1]);
    expect(ctx.reports.map(([step]) => step)).toEqual([1, 2]);
    expect(callback.stopped).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('stops model.fitDataset too', async () => {
    const { model, rows, labels } = problem();
    const dataset = tf.data
      .zip({ xs: tf.data.array(rows).map((r) => tf.tensor1d(r as number[])), ys: tf.data.array(labels).map((l) => tf.tensor1d(l as number[])) })
      .batch(16);
    const ctx = recordingContext(3);
    const history = await model.fitDataset(dataset, { epochs: 10, validationData: dataset, callbacks: [pruningCallback(ctx, { monitor: 'val_acc' })], verbose: 0 });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(ctx.reports.map(([step]) => step)).toEqual([1, 2, 3]);
    expect(Object.keys(ctx.reports[0]![1]).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    model.dispose();
  });

  it('mixed with tf.callbacks.earlyStopping, before or after it: logs reach the study as numbers, and it stops the fit', async () => {
    for (const order of ['after', 'before'] as const) {
      const { model, rows, labels } = problem();
      const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
      const ctx = recordingContext(2);
      const early = tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 50 });
      const ours = pruningCallback(ctx, { monitor: 'val_loss' });
      const history = await model.fit(xs, ys, { epochs: 10, batchSize: 16, validationSplit: 0.25, callbacks: order === 'after' ? [early, ours] : [ours, early], verbose: 0 });
      expect(history.epoch).toEqual([0, 1]);
      expect(ctx.reports.map(([step]) => step)).toEqual([1, 2]);
      for (const [, metrics] of ctx.reports) for (const value of Object.values(metrics)) expect(typeof value).toBe('number');
      tf.dispose([xs, ys]);
    model.dispose();
    }
  });

  it('reports the monitored value under options.metric too: the name the study judges', async () => {
    const { model, rows, labels } = problem();
    const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
    const ctx = recordingContext();
    await model.fit(xs, ys, { epochs: 2, validationSplit: 0.25, callbacks: [pruningCallback(ctx, { monitor: 'val_acc', metric: 'val_accuracy' })], verbose: 0 });
    for (const [, metrics] of ctx.reports) expect(metrics['val_accuracy']).toBe(metrics['val_acc']);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('fails the fit, naming the keys the logs have, when the monitored key is not among them', async () => {
    const { model, rows, labels } = problem();
    const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
    const ctx = recordingContext();
    // No validation data: there is no val_acc to judge.
    await expect(model.fit(xs, ys, { epochs: 3, callbacks: [pruningCallback(ctx, { monitor: 'val_acc' })], verbose: 0 })).rejects.toThrow(
      'pruningCallback: the epoch logs have no "val_acc" (options.monitor); they have loss, acc.',
    );
    expect(ctx.reports).toEqual([]);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('fails the fit, saying why, when TF.js takes it for a plain callback object (what another copy of tfjs-layers would do)', async () => {
    const { model, rows, labels } = problem();
    const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
    const ctx = recordingContext();
    // TF.js wraps a callback it does not recognise as its own BaseCallback in a CustomCallback, as here.
    const wrapped = new tf.CustomCallback(pruningCallback(ctx, { monitor: 'val_loss' }));
    await expect(model.fit(xs, ys, { epochs: 2, validationSplit: 0.25, callbacks: [wrapped], verbose: 0 })).rejects.toThrow(/another copy of @tensorflow\/tfjs-layers/);
    expect(ctx.reports).toEqual([]);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('rejects a missing or empty monitor, and an empty metric, at once', () => {
    const ctx = recordingContext();
    expect(() => pruningCallback(ctx, {} as { monitor: string })).toThrow(/^pruningCallback: options.monitor must be a non-empty string/);
    expect(() => pruningCallback(ctx, { monitor: '' })).toThrow(TypeError);
    expect(() => pruningCallback(ctx, { monitor: 'val_loss', metric: '' })).toThrow(/options.metric must be a non-empty string/);
  });
});

/** A grid over lr in the order given, on one worker thread, trained by test/fixtures/objectives/fit-callback.mjs under ASHA. */
async function ashaStudy(name: string, params: Record<string, unknown>, metric = 'val_loss'): Promise<{ study: Study; outDir: string }> {
  const dir = tempDir();
  const outDir = join(dir, 'epochs');
  mkdirSync(outDir);
  const study = await createStudy({
    name,
    storage: join(dir, `${name}.db`),
    direction: 'minimize',
    metric,
    seed: 1,
    search: { strategy: 'grid' },
    params: { epochs: { type: 'fixed', value: 6 }, out_dir: { type: 'fixed', value: outDir }, ...params },
    pruner: { type: 'asha', min_resource: 2, reduction_factor: 3, max_resource: 6 },
    divergence: false,
  });
  return { study, outDir };
}

async function stored(study: Study, outDir: string) {
  const trials = await study.trials();
  return Promise.all(
    trials.map(async (t) => {
      const detail = (await study.trial(t.number))!;
      const ran = JSON.parse(readFileSync(join(outDir, `${t.number}.json`), 'utf8')) as { epochs: number; stopped: boolean };
      return { lr: t.params['lr'], state: t.state, steps: detail.steps.map((s) => s.step), keys: Object.keys(detail.steps[0]!.values).sort(), ran };
    }),
  );
}

describe('pruningCallback under a real ASHA study (module objective, worker thread)', () => {
  for (const mode of ['fit', 'fitDataset'] as const) {
    it(`prunes trials mid-model.${mode}, stops their training at the rung, and stores their curves; the trial that learns runs every epoch`, async () => {
      // Study metric = the log key monitored (val_loss) for fit; for fitDataset the study metric
      // is another name, which the callback's `metric` option reports the val_loss under.
      const metric = mode === 'fit' ? 'val_loss' : 'score';
      const extra = mode === 'fit' ? {} : { metric: { type: 'fixed', value: 'score' } };
      const { study, outDir } = await ashaStudy(`asha-${mode}`, { lr: { type: 'categorical', choices: [0.5, 0, 0.001] }, mode: { type: 'fixed', value: mode }, ...extra }, metric);
      try {
        const summary = await study.optimize(FIT_CALLBACK, { workers: 1 });
        const logKeys = ['acc', 'loss', 'val_acc', 'val_loss', ...(mode === 'fit' ? [] : ['score'])].sort();
        // The rung is at step 2: lr 0.5 ran first and leads it; lr 0 (no learning) and lr 0.001
        // are behind it, so not in the top third, and TF.js stops after their second epoch.
        expect(await stored(study, outDir)).toEqual([
          { lr: 0.5, state: 'complete', steps: [1, 2, 3, 4, 5, 6], keys: logKeys, ran: { epochs: 6, stopped: false } },
          { lr: 0, state: 'pruned', steps: [1, 2], keys: logKeys, ran: { epochs: 2, stopped: true } },
          { lr: 0.001, state: 'pruned', steps: [1, 2], keys: logKeys, ran: { epochs: 2, stopped: true } },
        ]);
        expect(summary).toMatchObject({ ran: 3, pruned: 2, failed: 0, stepsTrained: 10 });
        const pruned = (await study.trials()).filter((t) => t.state === 'pruned');
        for (const trial of pruned) {
          // A pruned trial's value is its curve's at the rung, not what its objective returned after fit.
          const detail = (await study.trial(trial.number))!;
          expect(trial.value).toBe(detail.steps[1]!.values[metric]);
          expect(trial.error).toMatch(/^successive halving: rung 0 \(step 2\)/);
        }
      } finally {
        await study.close();
      }
    });
  }

  it('does the same for a function objective run on this thread (study.optimize(fn))', async () => {
    const { study } = await ashaStudy('asha-in-process', { lr: { type: 'categorical', choices: [0.5, 0] } });
    try {
      const epochsRun: number[] = [];
      await study.optimize(
        async (params, ctx) => {
          const { model, rows, labels } = problem();
          model.compile({ optimizer: tf.train.sgd(params['lr'] as number), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
          const [xs, ys] = [tf.tensor2d(rows), tf.tensor2d(labels)];
          const history = await model.fit(xs, ys, { epochs: params['epochs'] as number, batchSize: 16, validationSplit: 0.25, callbacks: [pruningCallback(ctx, { monitor: 'val_loss' })], verbose: 0 });
          tf.dispose([xs, ys]);
          model.dispose();
          epochsRun.push(history.epoch.length);
          return history.history['val_loss']!.at(-1) as number;
        },
        { workers: 1 },
      );
      const trials = await study.trials();
      expect(trials.map((t) => t.state)).toEqual(['complete', 'pruned']);
      expect(epochsRun).toEqual([6, 2]);
      expect((await study.trial(1))!.steps.map((s) => s.step)).toEqual([1, 2]);
    } finally {
      await study.close();
    }
  });
});
