import { isHpsearchError } from '../errors.js';
import type { TrialAttrs } from '../storage/storage.js';
import { initBackend } from './backend.js';
import { loadDatasetCached } from './datasets/index.js';
import { modelInput } from './export/model-input.js';
import { trainPack } from './train/pack-loop.js';
import type { TrainOutcome } from './train/train-loop.js';
import { describeError, type ReportMember, type TrialInfo, type TrialOutcome } from '../objectives/trial-run.js';
import type { TaskJobData } from './job.js';

/** A pack job: trials whose tasks share a pack key (train/pack-key.ts), all with the same backend, studySeed, metric and dataset. */
export interface TaskPackJobData {
  members: TaskJobData[];
}


/** This module, as a worker job's runner names it. */
export const packRunner = new URL('./run-pack.js', import.meta.url).href;

/**
 * Worker side of a pack of `task` trials, run-trial.ts's twin: trains them together in this
 * worker (train/pack-loop.ts) and gives each trial the outcome runTrial would give it alone,
 * aligned with `trials`. The backend and dataset are set up once, as for runTrial; a problem
 * before or during training that is not one member's (a backend that does not load, a dataset
 * that cannot be read, an error thrown while training) fails every member alike.
 */
export async function runPack(data: unknown, trials: TrialInfo[], report: ReportMember): Promise<TrialOutcome[]> {
  const job = data as TaskPackJobData;
  const reports = trials.map(() => 0);
  const attrs: TrialAttrs = { pack_size: trials.length };
  const first = job.members[0];
  if (first === undefined || job.members.length !== trials.length) {
    const error = `a pack job of ${job.members.length} members was given ${trials.length} trials`;
    return trials.map(() => ({ status: 'failed', error, fatal: true, reports: 0, attrs: {} }));
  }
  try {
    const { tf, backend } = await initBackend(first.backend);
    attrs.backend = backend;
    const loaded = await loadDatasetCached(first.task.dataset, first.studySeed);
    const tensorsBefore = tf.memory().numTensors;
    const results = await trainPack(
      tf,
      job.members.map((member, k) => ({
        spec: member.task,
        seed: trials[k]!.seed,
        saveModel: member.saveModels
          ? { input: modelInput(member.task.dataset, member.task.model, loaded), earlyStopping: member.earlyStopping, metric: member.metric }
          : undefined,
      })),
      loaded,
      (member, epoch, metrics) => {
        reports[member]!++;
        return report(member, epoch, metrics);
      },
    );
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked !== 0) attrs.tensors_leaked = leaked;
    return results.map((result, k) => memberOutcome(result, job.members[k]!.metric, reports[k]!, { ...attrs }));
  } catch (error) {
    // As runTrial: our own errors would fail every trial alike and stop the run.
    const fatal = isHpsearchError(error);
    const message = fatal ? (error as Error).message : describeError(error);
    return trials.map((_, k) => ({ status: 'failed', error: message, fatal, reports: reports[k]!, attrs: { ...attrs } }));
  }
}

/** runTrial's outcome for one member's training result. */
function memberOutcome(result: TrainOutcome, metric: string, reports: number, attrs: TrialAttrs): TrialOutcome {
  if (result.status === 'stopped') return { status: 'stopped', reports, attrs, model: result.model };
  if (result.status === 'diverged') return { status: 'failed', error: `diverged: ${result.reason}`, fatal: false, reports, attrs };
  const value = result.last[metric];
  if (value === undefined || !Number.isFinite(value)) {
    return { status: 'failed', error: `diverged: ${metric} is ${String(value)} after epoch ${result.epochs}`, fatal: false, reports, attrs };
  }
  return { status: 'complete', value, metrics: null, reports, attrs, model: result.model };
}
