/**
 * `hpsearch export`: a trial's kept model as files a TF.js program loads (`model.json` and its
 * weights, as `tf.loadLayersModel('file://.../model.json')` reads them), with `hpsearch.json`
 * saying where it came from and how to feed it.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HpsearchError } from '../errors.js';
import type { Direction, Metrics, Params } from '../space/types.js';
import { MODEL_WEIGHTS_FILE, type ModelInput } from '../storage/model-artifact.js';
import type { StepRecord, Storage, StudyRecord, TrialDetail } from '../storage/storage.js';
import { findStudy } from './find.js';

export const MODEL_JSON_FILE = 'model.json';
export const PROVENANCE_FILE = 'hpsearch.json';

export interface ExportModelOptions {
  /** The trial whose model to write; default: the study's best complete trial. */
  trial?: number;
  /** The folder to write into; created if missing. */
  out: string;
  /** Write into a folder that is not empty (its files of the same names are replaced). */
  force?: boolean;
}

/** What `hpsearch.json` holds. */
export interface ModelProvenance {
  study: string;
  trial: number;
  metric: string;
  direction: Direction;
  /** The trial's value of the study's metric (null when not finite). */
  value: number | null;
  params: Params;
  /** The objective's final metrics. */
  metrics: Metrics | null;
  /** The last reported step and its metrics; null when it reported none. */
  last_step: StepRecord | null;
  /** The step with the best value of the study's metric, and its metrics; null when no step has it. */
  best_step: StepRecord | null;
  /** The step whose weights these are, when known. */
  model_step: number | null;
  /** How to feed the model (shape, scaling, label names); null for a user's own model, whose inputs hpsearch does not know. */
  input: ModelInput | null;
  /** model.json and weights, in bytes. */
  bytes: number;
  exported_at: string;
}

export interface ExportedModel {
  /** The folder written, absolute. */
  dir: string;
  /** The files written, absolute, model.json first. */
  files: string[];
  provenance: ModelProvenance;
}

export async function exportModel(storage: Storage, studyName: string, options: ExportModelOptions): Promise<ExportedModel> {
  const study = await findStudy(storage, studyName);
  const number = options.trial ?? (await bestTrialNumber(storage, study));
  const trial = await storage.getTrial(study.id, number);
  if (!trial) {
    const total = Object.values(await storage.countTrials(study.id)).reduce((a, b) => a + b, 0);
    throw new HpsearchError('E_TRIAL_NOT_FOUND',
      `study "${study.name}" has no trial ${number}${total > 0 ? `: its trials are numbered 0 to ${total - 1}` : ': it has no trials yet'}`);
  }
  const model = await storage.getTrialModel(study.id, number);
  if (!model) throw new HpsearchError('E_USAGE', await noModelMessage(storage, study.id, study.name, trial));
  const dir = path.resolve(options.out);
  await checkOut(dir, options.force ?? false);
  const modelJson = JSON.stringify(model.modelJson);
  const provenance: ModelProvenance = {
    study: study.name,
    trial: number,
    metric: study.metric,
    direction: study.direction,
    value: finite(trial.value),
    params: { ...trial.params },
    metrics: trial.metrics,
    last_step: trial.steps.at(-1) ?? null,
    best_step: bestStep(trial.steps, study.metric, study.direction),
    model_step: model.step,
    input: model.input,
    bytes: Buffer.byteLength(modelJson) + model.weights.byteLength,
    exported_at: new Date().toISOString(),
  };
  await mkdir(dir, { recursive: true });
  const files = [MODEL_JSON_FILE, MODEL_WEIGHTS_FILE, PROVENANCE_FILE].map((name) => path.join(dir, name));
  await writeFile(files[0]!, modelJson);
  await writeFile(files[1]!, model.weights);
  // NaN and ±Infinity are no JSON: null, as the CLI's JSON output writes them.
  await writeFile(files[2]!, `${JSON.stringify(provenance, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`);
  return { dir, files, provenance };
}

async function bestTrialNumber(storage: Storage, study: StudyRecord): Promise<number> {
  const [best] = await storage.leaderboard(study.id, { top: 1, direction: study.direction });
  if (!best) throw new HpsearchError('E_TRIAL_NOT_FOUND', `study "${study.name}" has no complete trial yet, so no best one to export; run it first, or name one with --trial N`);
  return best.number;
}

async function noModelMessage(storage: Storage, studyId: number, name: string, trial: TrialDetail): Promise<string> {
  const kept = (await storage.listTrialModels(studyId)).map((m) => m.number);
  const which = `trial ${trial.number} of study "${name}" (${trial.state}) kept no model`;
  if (kept.length === 0) {
    return `${which}, nor did any other: models are kept only when the study runs with --save-models N ` +
      '(or save_models: { top: N } in the space file), for its best N complete trials; run it (again) with --save-models';
  }
  return `${which}: only the best complete trials keep theirs (--save-models); these do: ${kept.slice(0, 20).join(', ')}${kept.length > 20 ? ', ...' : ''}; export one with --trial N`;
}

/** `dir` may be written into: missing, an empty folder, or any folder with `force`; never a file. */
async function checkOut(dir: string, force: boolean): Promise<void> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (found === null) return;
  if (!found.isDirectory()) throw new HpsearchError('E_USAGE', `--out ${dir} is a file, not a folder; name a folder to write the model into`);
  if (!force && (await readdir(dir)).length > 0) {
    throw new HpsearchError('E_USAGE', `--out ${dir} is not empty; pick a new folder, or pass --force to write ${MODEL_JSON_FILE}, ${MODEL_WEIGHTS_FILE} and ${PROVENANCE_FILE} into it`);
  }
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The step whose value of `metric` is best in `direction` (the first of equals); null when no step has a finite one. */
function bestStep(steps: readonly StepRecord[], metric: string, direction: Direction): StepRecord | null {
  let best: StepRecord | null = null;
  for (const step of steps) {
    const value = step.values[metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const current = best?.values[metric];
    if (current === undefined || (direction === 'maximize' ? value > current : value < current)) best = step;
  }
  return best;
}
