/** Piscina worker entry: one trial per task, or one pack of trials, run by its objective kind's runner module. */
import { HpsearchError } from '../errors.js';
import type { TrialOutcome, TrialRunnerModule } from '../objectives/trial-run.js';
import type { PackTask, TrialTask } from './messages.js';
import { TrialChannel } from './trial-channel.js';

// Imported on first use, once per worker: module objectives never pay for TF.js.
const runners = new Map<string, Promise<TrialRunnerModule>>();

function runnerOf(url: string): Promise<TrialRunnerModule> {
  let runner = runners.get(url);
  if (!runner) {
    runner = import(url) as Promise<TrialRunnerModule>;
    runners.set(url, runner);
  }
  return runner;
}

export default async function runTrialTask(task: TrialTask | PackTask): Promise<TrialOutcome | TrialOutcome[]> {
  const channel = new TrialChannel(task.port);
  try {
    const runner = await runnerOf(task.runner);
    if ('trials' in task) {
      if (runner.runPack === undefined) throw new HpsearchError('E_INTERNAL', `${task.runner} has no runPack: its kind does not pack trials`);
      return await runner.runPack(task.data, task.trials, channel.reportMember);
    }
    const trial = { study: task.study, number: task.number, seed: task.seed, params: task.params };
    return await runner.runTrial(task.data, trial, channel.report, channel.suggest);
  } finally {
    channel.close();
  }
}
