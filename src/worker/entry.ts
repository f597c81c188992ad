/** Piscina worker entry: one trial per task. */
import type { TrialOutcome, TrialTask } from './messages.js';
import { loadObjective } from './load-objective.js';
import { ReportChannel } from './report-channel.js';
import { describeError, runObjective } from './run-objective.js';

export default async function runTrialTask(task: TrialTask): Promise<TrialOutcome> {
  const channel = new ReportChannel(task.port);
  try {
    if (task.type === 'task') {
      // Imported on first use: module objectives never pay for TF.js.
      const { runTaskTrial } = await import('./run-task.js');
      return await runTaskTrial(task, channel.report);
    }
    let objective;
    try {
      objective = await loadObjective(task.module);
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error.message : describeError(error), fatal: true, reports: 0 };
    }
    return await runObjective(objective, task, channel.report);
  } finally {
    channel.close();
  }
}
