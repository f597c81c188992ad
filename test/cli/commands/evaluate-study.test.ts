/**
 * evaluateStudy against a real SQLite study of a built-in task: which trial it picks, that it
 * scores with the trial's own settings (its params merged in) and the study's seed, and what it
 * refuses. The models come from `loadModel`, as the storage's getTrialModel will give them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateStudy, renderEvaluation, type LoadTrialModel } from '../../../src/cli/commands/evaluate-study.js';
import { HpsearchError } from '../../../src/errors.js';
import type { ModelArtifact } from '../../../src/storage/model-artifact.js';
import { openStorage } from '../../../src/storage/open.js';
import type { Storage } from '../../../src/storage/storage.js';
import { storedSpace } from '../../../src/study/create.js';
import { evaluateModel, TEST_SET_WAS_VALIDATION } from '../../../src/task/evaluate.js';
import { taskForTrial } from '../../../src/task/settings.js';
import { artifactOf, writeImages } from '../../helpers/model-artifacts.js';
import { useTempDir } from '../../helpers/temp.js';
import { wasm } from '../../task/train/helpers.js';

const tempDir = useTempDir();

/** A task study of seed 7 with trials 0 (weight_decay 0.001, value 0.5) and 1 (0.01, value 0.7), and an untrained model. */
async function taskStudy(options: { useTestSet?: boolean } = {}): Promise<{ storage: Storage; id: number; artifact: ModelArtifact }> {
  const dir = tempDir();
  const train = writeImages(dir, 90, 'train');
  const test = writeImages(dir, 30, 'test', 'test');
  const storage = await openStorage(join(dir, 'hpsearch.db'));
  const dataset = { type: 'idx', ...train, test, ...(options.useTestSet ? { use_test_set: true } : { validation_split: 0.25 }) };
  const record = await storage.createStudy({
    name: 'ev',
    direction: 'maximize',
    metric: 'val_accuracy',
    seed: 7,
    space: {
      study: 'ev',
      seed: 7,
      objective: { metric: 'val_accuracy', direction: 'maximize', task: { dataset, model: { hidden: [8] }, train: { epochs: 2 } } },
      search: { strategy: 'random', trials: 5 },
      params: { weight_decay: { type: 'float', low: 0.001, high: 0.01 } },
    },
  });
  for (const [weightDecay, value] of [[0.001, 0.5], [0.01, 0.7]] as const) {
    const claimed = (await storage.claimTrial(record.id, { maxTrials: 5, owner: 'test:1' }))!;
    await storage.setTrialParams(claimed, { params: { weight_decay: weightDecay } });
    for (const step of [1, 2]) await storage.reportStep(claimed, step, { val_accuracy: value - 0.1 * (2 - step), val_loss: 1 / step });
    await storage.finishTrial(claimed, { state: 'complete', value });
  }
  const tf = await wasm();
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
  const artifact = await artifactOf(model, { shape: [16], scaling: 'pixel / 255', labels: null }, 1);
  model.dispose();
  return { storage, id: record.id, artifact };
}

async function rejection(promise: Promise<unknown>): Promise<HpsearchError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HpsearchError);
  return error as HpsearchError;
}

describe('evaluateStudy', () => {
  it("takes the best trial by default and scores it with its own settings and the study's seed", async () => {
    const { storage, id, artifact } = await taskStudy();
    try {
      const asked: [number, number][] = [];
      const loadModel: LoadTrialModel = async (studyId, number) => (asked.push([studyId, number]), artifact);
      const { rows, warnings } = await evaluateStudy(storage, 'ev', { test: false }, loadModel);
      expect(asked).toEqual([[id, 1]]);
      expect(warnings).toEqual([]);
      const task = storedSpace((await storage.getStudy('ev'))!).objective.task!;
      const expected = await evaluateModel(artifact, taskForTrial(task, { weight_decay: 0.01 }), 7, { test: false });
      const lighter = await evaluateModel(artifact, taskForTrial(task, { weight_decay: 0.001 }), 7, { test: false });
      // The trial's weight_decay is in its val_loss: the other trial's would give another.
      expect(lighter.val_loss).not.toBeCloseTo(expected.val_loss, 6);
      expect(rows).toEqual([{ number: 1, val_accuracy: expected.val_accuracy, val_loss: expected.val_loss, stored: { step: 1, val_accuracy: 0.6, val_loss: 1 } }]);
      expect(JSON.parse(renderEvaluation({ rows, warnings }, 'json'))).toEqual([{ number: 1, val_accuracy: expected.val_accuracy, val_loss: expected.val_loss }]);
      const table = renderEvaluation({ rows, warnings }, 'table');
      expect(table.split('\n')[0]).toMatch(/^#\s+val_accuracy\s+val_loss\s+stored val_accuracy \(epoch\)$/);
      expect(table).toMatch(/0\.6 \(1\)$/);
    } finally {
      await storage.close();
    }
  });

  it('scores the test set of the trial given with --trial, and warns when it was the validation set', async () => {
    const { storage, artifact } = await taskStudy({ useTestSet: true });
    try {
      const { rows, warnings } = await evaluateStudy(storage, 'ev', { trial: 0, test: true }, async () => artifact);
      expect(rows[0]!.number).toBe(0);
      expect(rows[0]!.test_accuracy).toBe(rows[0]!.val_accuracy);
      expect(warnings).toEqual([TEST_SET_WAS_VALIDATION]);
      const json = JSON.parse(renderEvaluation({ rows, warnings }, 'json')) as Record<string, unknown>[];
      expect(Object.keys(json[0]!)).toEqual(['number', 'val_accuracy', 'val_loss', 'test_accuracy', 'test_loss']);
      expect(renderEvaluation({ rows, warnings }, 'table').split('\n')[0]).toMatch(/test_accuracy\s+test_loss/);
    } finally {
      await storage.close();
    }
  });

  it('refuses an unknown trial, a trial without a saved model and a study without complete trials', async () => {
    const { storage, artifact } = await taskStudy();
    try {
      const unknown = await rejection(evaluateStudy(storage, 'ev', { trial: 9, test: false }, async () => artifact));
      expect(unknown.code).toBe('E_TRIAL_NOT_FOUND');
      expect(unknown.message).toBe('study "ev" has no trial 9: its trials are numbered 0 to 1');
      const unsaved = await rejection(evaluateStudy(storage, 'ev', { test: false }, async () => null));
      expect(unsaved.code).toBe('E_USAGE');
      expect(unsaved.message).toBe(`trial 1 of study "ev" has no saved model: run the study with --save-models to keep its trials' trained models`);
      const missing = await rejection(evaluateStudy(storage, 'nope', { test: false }, async () => artifact));
      expect(missing.code).toBe('E_STUDY_NOT_FOUND');

      const empty = await storage.createStudy({ name: 'empty', direction: 'maximize', metric: 'val_accuracy', seed: 1, space: (await storage.getStudy('ev'))!.space });
      expect(empty.name).toBe('empty');
      const none = await rejection(evaluateStudy(storage, 'empty', { test: false }, async () => artifact));
      expect(none.message).toBe('study "empty" has no complete trials to evaluate yet; name one with --trial N');
    } finally {
      await storage.close();
    }
  });

  it('refuses a study whose objective is a module: its model is the user\'s to evaluate', async () => {
    const dir = tempDir();
    const storage = await openStorage(join(dir, 'hpsearch.db'));
    try {
      await storage.createStudy({
        name: 'mod',
        direction: 'minimize',
        metric: 'loss',
        seed: 1,
        space: { study: 'mod', objective: { module: './objective.js', metric: 'loss', direction: 'minimize' }, search: { strategy: 'random', trials: 2 }, params: { x: { type: 'float', low: 0, high: 1 } } },
        spaceFile: join(dir, 'space.yaml'),
      });
      let asked = false;
      const error = await rejection(evaluateStudy(storage, 'mod', { test: false }, async () => ((asked = true), null)));
      expect(error.code).toBe('E_USAGE');
      expect(error.message).toMatch(/^study "mod" has a module objective: hpsearch evaluate scores the models of built-in tasks/);
      expect(asked).toBe(false);
    } finally {
      await storage.close();
    }
  });
});
