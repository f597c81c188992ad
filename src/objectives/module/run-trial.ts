/** Worker side of the `module` kind: load the module (once per worker thread), run the trial. */
import { describeError, type ReportStep, type SuggestParam, type TrialInfo, type TrialOutcome } from '../trial-run.js';
import type { ModuleJobData } from './kind.js';
import { loadObjective } from './load-objective.js';
import { runObjective } from './run-objective.js';

export async function runTrial(data: unknown, trial: TrialInfo, report: ReportStep, suggest: SuggestParam): Promise<TrialOutcome> {
  const { module, saveModels } = data as ModuleJobData;
  let objective;
  try {
    objective = await loadObjective(module);
  } catch (error) {
    // A module that cannot be loaded fails every trial alike: the run stops.
    return { status: 'failed', error: error instanceof Error ? error.message : describeError(error), fatal: true, reports: 0 };
  }
  return runObjective(objective, trial, report, suggest, { saveModels });
}
