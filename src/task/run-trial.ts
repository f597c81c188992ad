import { isHpsearchError } from '../errors.js';
import type { TrialAttrs } from '../storage/storage.js';
import { initBackend } from './backend.js';
import { loadDatasetCached } from './datasets/index.js';
import { modelInput } from './export/model-input.js';
import { trainModel } from './train/train-loop.js';
import { describeError, type ReportStep, type TrialInfo, type TrialOutcome } from '../objectives/trial-run.js';
import type { TaskJobData } from './job.js';

/**
 * Worker side of the `task` kind: trains one built-in task trial in this worker thread. The backend and the dataset are set
 * up once per worker and reused by its later trials; everything a trial allocates is freed
 * before it returns (the trainer disposes its tensors; a leak is recorded in the trial's attrs).
 */
export async function runTrial(data: unknown, trial: TrialInfo, onReport: ReportStep): Promise<TrialOutcome> {
  const task = data as TaskJobData;
  let reports = 0;
  const attrs: TrialAttrs = {};
  try {
    const { tf, backend } = await initBackend(task.backend);
    attrs.backend = backend;
    const data = await loadDatasetCached(task.task.dataset, task.studySeed);
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainModel(tf, task.task, data, {
      seed: trial.seed,
      saveModel: task.saveModels
        ? { input: modelInput(task.task.dataset, task.task.model, data), earlyStopping: task.earlyStopping, metric: task.metric }
        : undefined,
      onEpoch: (epoch, metrics) => {
        reports++;
        return onReport(epoch, metrics);
      },
    });
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) attrs.tensors_leaked = leaked;
    if (result.status === 'stopped') return { status: 'stopped', reports, attrs, model: result.model };
    if (result.status === 'diverged') {
      return { status: 'failed', error: `diverged: ${result.reason}`, fatal: false, reports, attrs };
    }
    const value = result.last[task.metric];
    if (value === undefined || !Number.isFinite(value)) {
      return { status: 'failed', error: `diverged: ${task.metric} is ${String(value)} after epoch ${result.epochs}`, fatal: false, reports, attrs };
    }
    return { status: 'complete', value, metrics: null, reports, attrs, model: result.model };
  } catch (error) {
    // Our own errors here (a backend that is not installed, a dataset file that cannot be read)
    // would fail every trial alike: they stop the run instead.
    const fatal = isHpsearchError(error);
    return { status: 'failed', error: fatal ? (error as Error).message : describeError(error), fatal, reports, attrs };
  }
}
