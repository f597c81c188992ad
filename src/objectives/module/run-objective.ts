import { askedCategorical, askedFloat, askedInt, type AskedSpec } from '../../space/asked-spec.js';
import type { Params, ParamValue } from '../../space/types.js';
import type { Objective, TrialContext } from '../../study/objective.js';
import { checkMetrics, checkObjectiveResult, checkStep } from './objective-result.js';
import type { ModelArtifact } from '../../storage/model-artifact.js';
import { layersModelArtifact } from './save-model.js';
import { describeError, type ReportStep, type SuggestParam, type TrialInfo, type TrialOutcome } from '../trial-run.js';

export interface RunObjectiveOptions {
  /** Whether the run keeps models: else `ctx.saveModel` does nothing. */
  saveModels: boolean;
}

/**
 * Runs one trial of an objective and turns whatever happens into a TrialOutcome: the same
 * code serves worker threads and in-process objectives, so both record failures alike.
 */
export async function runObjective(
  objective: Objective,
  info: TrialInfo,
  onReport: ReportStep,
  onSuggest: SuggestParam,
  options: RunObjectiveOptions = { saveModels: false },
): Promise<TrialOutcome> {
  let reports = 0;
  let lastStep: number | null = null;
  let model: ModelArtifact | undefined;
  let decision: Promise<boolean> = Promise.resolve(false);
  // The context's params grow with every param asked; the objective's first argument stays as it was given.
  const params: Params = { ...info.params };
  const ask = async (name: string, spec: AskedSpec): Promise<ParamValue> => {
    const value = await onSuggest(name, spec);
    params[name] = value;
    return value;
  };
  const context: TrialContext = {
    study: info.study,
    number: info.number,
    seed: info.seed,
    params,
    report(step, metrics) {
      const stepProblem = checkStep(step);
      if (stepProblem) throw new TypeError(`ctx.report: ${stepProblem}`);
      const checked = checkMetrics(metrics);
      if (typeof checked === 'string') throw new TypeError(`ctx.report: ${checked}`);
      reports++;
      lastStep = step;
      decision = onReport(step, checked);
    },
    // Serialised at once (the model may train on afterwards); the last call wins.
    saveModel: async (trained) => {
      if (!options.saveModels) return;
      model = await layersModelArtifact(trained, lastStep);
    },
    shouldPrune: () => decision,
    // Async, so that a wrong argument rejects (as the answer would) rather than throws.
    suggestFloat: async (name, low, high, options) => (await ask(name, askedFloat(name, low, high, options))) as number,
    suggestInt: async (name, low, high, options) => (await ask(name, askedInt(name, low, high, options))) as number,
    suggestCategorical: async <const T extends ParamValue>(name: string, choices: readonly T[]) => (await ask(name, askedCategorical(name, choices))) as T,
  };
  try {
    const checked = checkObjectiveResult(await objective({ ...info.params }, context));
    return checked.ok
      ? { status: 'complete', value: checked.value, metrics: checked.metrics, reports, ...(model ? { model } : {}) }
      : { status: 'failed', error: checked.error, fatal: false, reports };
  } catch (error) {
    return { status: 'failed', error: describeError(error), fatal: false, reports };
  }
}
