/** Piscina worker entry: one trial per task. */
import type { ReportMessage, TrialOutcome, TrialTask } from './messages.js';
import { loadObjective } from './load-objective.js';
import { describeError, runObjective } from './run-objective.js';

export default async function runTrialTask(task: TrialTask): Promise<TrialOutcome> {
  const { port } = task;
  try {
    let objective;
    try {
      objective = await loadObjective(task.module);
    } catch (error) {
      return { status: 'failed', error: error instanceof Error ? error.message : describeError(error), fatal: true, reports: 0 };
    }
    return await runObjective(objective, task, (step, metrics) => {
      const message: ReportMessage = { type: 'report', step, metrics };
      port.postMessage(message);
    });
  } finally {
    port.close();
  }
}
