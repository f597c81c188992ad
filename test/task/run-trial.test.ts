import { beforeAll, describe, expect, it } from 'vitest';
import type { KindRunContext } from '../../src/space/objective-kind.js';
import { taskObjectiveKind, type TaskJobData } from '../../src/task/kind.js';
import { runTrial } from '../../src/task/run-trial.js';
import type { Tf } from '../../src/task/tf.js';
import type { TaskSpec } from '../../src/task/types.js';
import { argmaxRows, loadArtifact, MNIST_SMALL, mnistSmall, predict } from './export/helpers.js';
import { mlp, trainSpec, wasm } from './train/helpers.js';

let tf: Tf;
beforeAll(async () => {
  tf = await wasm();
});

const task: TaskSpec = { dataset: MNIST_SMALL, model: mlp({ hidden: [32] }), train: trainSpec({ epochs: 3, batchSize: 50, learningRate: 0.1 }) };
const trial = { study: 's', number: 0, seed: 9, params: {} };

/** The worker job the task kind makes for this run, run the way a worker thread runs it. */
async function runJob(run: KindRunContext) {
  const job = taskObjectiveKind.workerJob(task, trial, run, { task, backend: 'wasm' });
  const data = job.data as TaskJobData;
  const reports: Record<string, number>[] = [];
  const outcome = await runTrial(data, trial, async (_, metrics) => (reports.push(metrics), false));
  return { data, reports, outcome };
}

describe('runTrial (task worker)', () => {
  it('sends no model unless the run keeps them', async () => {
    const { data, outcome } = await runJob({ metric: 'val_accuracy', studySeed: 7, saveModels: false, earlyStopping: null });
    expect(data.saveModels).toBe(false);
    expect(outcome.status).toBe('complete');
    expect(outcome.status === 'complete' && outcome.model).toBeUndefined();
  });

  it('sends the trained model with a complete outcome when the run keeps models, leaking nothing', async () => {
    const earlyStopping = { monitor: 'val_loss', mode: 'min' as const, patience: 100, minDelta: 0, restoreBest: false };
    const { data, reports, outcome } = await runJob({ metric: 'val_accuracy', studySeed: 7, saveModels: true, earlyStopping });
    expect(data).toMatchObject({ saveModels: true, earlyStopping });
    expect(outcome.status).toBe('complete');
    if (outcome.status !== 'complete') return;
    expect(outcome.attrs?.tensors_leaked).toBeUndefined();
    const model = outcome.model!;
    expect(model.step).toBe(3);
    expect(model.input).toEqual({ shape: [784], scaling: 'pixel / 255', labels: null });
    // A structured clone of it (a worker's port) still loads, and answers as the trial's last epoch says.
    const copy = structuredClone(model);
    const loaded = await loadArtifact(tf, copy);
    const validation = (await mnistSmall()).validation;
    const predicted = argmaxRows(predict(tf, loaded, copy, validation.x), 10);
    loaded.dispose();
    const accuracy = predicted.filter((c, i) => c === validation.y[i]).length / validation.count;
    expect(accuracy).toBe(reports[2]!['val_accuracy']);
    expect(outcome.value).toBe(accuracy);
  });
});
