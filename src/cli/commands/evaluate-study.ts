// Rebuilding a stored space names objective kinds: register the built-in ones.
import '../../objectives/builtin.js';
import { HpsearchError } from '../../errors.js';
import type { ModelArtifact } from '../../storage/model-artifact.js';
import type { Storage, StudyRecord, TrialDetail } from '../../storage/storage.js';
import { storedSpace } from '../../study/create.js';
import { findStudy } from '../../study/find.js';
import { evaluateModel } from '../../task/evaluate.js';
import { taskForTrial } from '../../task/settings.js';
import { evaluationJson, evaluationTable, type EvaluationRow } from '../format/evaluation.js';
import { trialNotFound } from '../trial-not-found.js';

/** A trial's saved model, or null when it has none: the storage's `getTrialModel`. */
export type LoadTrialModel = (studyId: number, number: number) => Promise<ModelArtifact | null>;

export interface EvaluateStudyOptions {
  /** The trial to evaluate; default the best complete one, as `hpsearch export` takes. */
  trial?: number;
  test: boolean;
}

export interface StudyEvaluation {
  rows: EvaluationRow[];
  warnings: string[];
}

/**
 * Loads a trial's saved model and scores it (task/evaluate.ts), refusing what cannot be: a study
 * whose objective is not a built-in task, an unknown trial, a trial without a saved model.
 */
export async function evaluateStudy(storage: Storage, name: string, options: EvaluateStudyOptions, loadModel: LoadTrialModel): Promise<StudyEvaluation> {
  const record = await findStudy(storage, name);
  const task = storedSpace(record).objective.task;
  if (task === undefined) {
    throw new HpsearchError(
      'E_USAGE',
      `study "${name}" has a module objective: hpsearch evaluate scores the models of built-in tasks, whose data and input it knows; a model your objective saved (ctx.saveModel) is yours to load and evaluate`,
    );
  }
  const trial = await chosenTrial(storage, record, options.trial);
  const artifact = await loadModel(record.id, trial.number);
  if (artifact === null) {
    throw new HpsearchError(
      'E_USAGE',
      `trial ${trial.number} of study "${name}" has no saved model: run the study with --save-models to keep its trials' trained models`,
    );
  }
  const result = await evaluateModel(artifact, taskForTrial(task, trial.params), record.seed, { test: options.test, backend: 'wasm' });
  const { warnings, ...scores } = result;
  return { rows: [{ number: trial.number, ...scores, stored: storedAt(trial, artifact.step) }], warnings };
}

async function chosenTrial(storage: Storage, record: StudyRecord, number: number | undefined): Promise<TrialDetail> {
  if (number !== undefined) {
    const trial = await storage.getTrial(record.id, number);
    if (trial === null) throw await trialNotFound(storage, record, number);
    return trial;
  }
  const [best] = await storage.leaderboard(record.id, { top: 1, direction: record.direction, states: ['complete'] });
  const trial = best === undefined ? null : await storage.getTrial(record.id, best.number);
  if (trial === null) throw new HpsearchError('E_USAGE', `study "${record.name}" has no complete trials to evaluate yet; name one with --trial N`);
  return trial;
}

/** What training recorded for the epoch whose weights the model holds (its last epoch when the step is unknown). */
function storedAt(trial: TrialDetail, step: number | null): EvaluationRow['stored'] {
  const at = step === null ? trial.steps[trial.steps.length - 1] : trial.steps.find((s) => s.step === step);
  if (at === undefined) return null;
  const { val_accuracy: accuracy, val_loss: loss } = at.values;
  return accuracy === undefined || loss === undefined ? null : { step: at.step, val_accuracy: accuracy, val_loss: loss };
}

/** The command's output: JSON rows or a table on stdout; warnings for stderr. */
export function renderEvaluation(evaluation: StudyEvaluation, format: 'table' | 'json'): string {
  return format === 'json' ? JSON.stringify(evaluationJson(evaluation.rows), null, 2) : evaluationTable(evaluation.rows);
}
