/** Piscina worker entry: one trial per task. */
import type { ReportMessage, TrialOutcome, TrialTask } from './messages.js';
import { loadObjective } from './load-objective.js';
import { describeError, runObjective } from './run-objective.js';

export default async function runTrialTask(task: TrialTask): Promise<TrialOutcome> {
  const { port } = task;
  const report = (step: number, metrics: ReportMessage['metrics']) => {
    const message: ReportMessage = { type: 'report', step, metrics };
    port.postMessage(message);
  };
  try {
    if (task.type === 'task') {
      // Imported on first use: module objectives never pay for TF.js.
      const { runTaskTrial } = await import('./run-task.js');
      return await runTaskTrial(task, report);
    }
    let objective;
    try {
      objective = await loadObjective(task.module);
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error.message : describeError(error), fatal: true, reports: 0 };
    }
    return await runObjective(objective, task, report);
  } finally {
    port.close();
  }
}
