/** Piscina worker entry: one trial per task, run by its objective kind's runner module. */
import type { TrialOutcome, TrialRunnerModule } from '../objectives/trial-run.js';
import type { TrialTask } from './messages.js';
import { TrialChannel } from './trial-channel.js';

// Imported on first use, once per worker: module objectives never pay for TF.js.
const runners = new Map<string, Promise<TrialRunnerModule>>();

export default async function runTrialTask(task: TrialTask): Promise<TrialOutcome> {
  const channel = new TrialChannel(task.port);
  try {
    let runner = runners.get(task.runner);
    if (!runner) {
      runner = import(task.runner) as Promise<TrialRunnerModule>;
      runners.set(task.runner, runner);
    }
    const trial = { study: task.study, number: task.number, seed: task.seed, params: task.params };
    return await (await runner).runTrial(task.data, trial, channel.report, channel.suggest);
  } finally {
    channel.close();
  }
}
