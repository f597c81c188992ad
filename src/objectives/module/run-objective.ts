import type { Objective, TrialContext } from '../../study/objective.js';
import { checkMetrics, checkObjectiveResult, checkStep } from './objective-result.js';
import { describeError, type ReportStep, type TrialInfo, type TrialOutcome } from '../trial-run.js';

/**
 * Runs one trial of an objective and turns whatever happens into a TrialOutcome: the same
 * code serves worker threads and in-process objectives, so both record failures alike.
 */
export async function runObjective(
  objective: Objective,
  info: TrialInfo,
  onReport: ReportStep,
): Promise<TrialOutcome> {
  let reports = 0;
  let decision: Promise<boolean> = Promise.resolve(false);
  const context: TrialContext = {
    study: info.study,
    number: info.number,
    seed: info.seed,
    params: info.params,
    report(step, metrics) {
      const stepProblem = checkStep(step);
      if (stepProblem) throw new TypeError(`ctx.report: ${stepProblem}`);
      const checked = checkMetrics(metrics);
      if (typeof checked === 'string') throw new TypeError(`ctx.report: ${checked}`);
      reports++;
      decision = onReport(step, checked);
    },
    shouldPrune: () => decision,
  };
  try {
    const checked = checkObjectiveResult(await objective({ ...info.params }, context));
    return checked.ok
      ? { status: 'complete', value: checked.value, metrics: checked.metrics, reports }
      : { status: 'failed', error: checked.error, fatal: false, reports };
  } catch (error) {
    return { status: 'failed', error: describeError(error), fatal: false, reports };
  }
}
