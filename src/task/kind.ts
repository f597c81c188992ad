/**
 * The `task` objective kind: a built-in training task (dataset, model, training) whose settings
 * the trial's params override, trained in worker threads on a TF.js backend (on a native backend,
 * in worker processes of one thread each).
 */
import type { ObjectiveKind } from '../space/objective-kind.js';
import type { ParamSpecs } from '../space/types.js';
import { DEFAULT_TASK_METRIC, taskSchema } from './fields.js';
import { chooseBackend } from './measure/choose-backend.js';
import { checkBackendInstalled, nativeBackendRequested, nativeWorkerProcesses } from './native-backend.js';
import { checkTaskObjective } from './schema.js';
import { checkTaskParams, taskForTrial } from './settings.js';
import { taskJobData, type TaskObjective } from './job.js';
import { taskPacking } from './pack.js';
import type { TaskSpec } from './types.js';

export type { TaskJobData, TaskObjective } from './job.js';

declare module '../space/types.js' {
  interface ObjectiveSpecs {
    /** A built-in training task, validated and normalised; a trial's params override its settings. */
    task: TaskSpec;
  }
}

declare module '../space/objective-kind.js' {
  interface ObjectiveSources {
    task: TaskObjective;
  }
}

/** The metrics a built-in task reports each epoch (`EpochMetrics`), which its stopping rules can watch. */
export const TASK_EPOCH_METRICS = ['train_loss', 'train_accuracy', 'val_loss', 'val_accuracy', 'learning_rate'] as const;

export const taskObjectiveKind: ObjectiveKind<TaskSpec, TaskObjective> = {
  name: 'task',
  schema: taskSchema,
  description: 'Built-in training task: dataset, model and training.',
  nested: true,
  defaultMetric: DEFAULT_TASK_METRIC,
  stepMetrics: { names: TASK_EPOCH_METRICS, reporter: 'a built-in task', when: 'each epoch' },
  earlyStoppingMonitor: 'val_loss',
  divergenceMonitor: 'train_loss',

  check: (objective, options, issues) => checkTaskObjective(objective, options.baseDir, issues, { checkFiles: options.checkFiles }),
  checkParams: checkTaskParams,

  fullTrialSteps(task, params) {
    const epochs = params['epochs'];
    const largest = epochs === undefined ? undefined : largestValue(epochs);
    if (largest === undefined) return { steps: task.train.epochs, source: "the task's epochs" };
    // A conditional epochs param leaves the task's epochs to the trials where it is inactive.
    if (epochs?.when !== undefined && task.train.epochs > largest) {
      return { steps: task.train.epochs, source: "the task's epochs, which trials without the epochs param train" };
    }
    return { steps: largest, source: 'the largest value of the epochs param' };
  },

  checkReady: (options) => checkBackendInstalled(options.backend ?? 'auto'),

  async settle(task, options, context) {
    if ((options.backend ?? 'auto') !== 'auto') return options;
    const chosen = await chooseBackend(task, {
      ...context,
      // As a worker process would run it (one alone: all the cores); the user's own settings win.
      env: { ...nativeWorkerProcesses(1).env, ...process.env },
    });
    return chosen === null ? options : { ...options, backend: chosen };
  },

  workerProcesses(options, processes) {
    // The tfjs-node addon is not context-aware: only one thread per process may load it.
    return nativeBackendRequested(options.backend ?? 'auto') ? nativeWorkerProcesses(processes) : undefined;
  },

  plannedSteps: (task, params) => taskForTrial(task, params).train.epochs,

  workerJob: (task, trial, run, options) => ({ runner: new URL('./run-trial.js', import.meta.url).href, data: taskJobData(task, trial, run, options) }),

  pack: taskPacking,
};

function largestValue(spec: ParamSpecs[string]): number | undefined {
  const numbers = (values: readonly unknown[]) => values.filter((v): v is number => typeof v === 'number');
  let candidates: number[];
  switch (spec.type) {
    case 'fixed':
      candidates = numbers([spec.value]);
      break;
    case 'categorical':
      candidates = numbers(spec.choices);
      break;
    case 'int':
    case 'float':
      // Grid search visits `values`, the other strategies sample low..high: either may run.
      candidates = [spec.high, ...(spec.values ?? [])];
      break;
  }
  // Not Math.max(...candidates): spreading a long list overflows the stack.
  return candidates.length > 0 ? candidates.reduce((a, b) => Math.max(a, b)) : undefined;
}
