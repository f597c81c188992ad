import { HpsearchError } from '../errors.js';
import type { Direction } from '../space/types.js';
import type { ClaimRow } from './transition-sql.js';
import type { ModelArtifact, ModelInput } from './model-artifact.js';

/**
 * Trained models kept as trials' results (issue 17), as both SQL backends store them: one row per
 * trial in `trial_models`, the model.json text, the weights' bytes, the input contract as JSON,
 * the step, and the size (model.json plus weights, in bytes) so listings need not read the blobs.
 */

/** Which models a study keeps: those of its best `top` complete trials by value, or all of them. */
export interface ModelRetention {
  top: number | 'all';
  direction: Direction;
}

/** A kept model, without its bytes: what `studies` and `trial` show. */
export interface TrialModelInfo {
  number: number;
  /** model.json plus weights, in bytes. */
  bytes: number;
  step: number | null;
  /** When it was kept, ms since the epoch. */
  savedAt: number;
}

/** The models a study keeps, in all. */
export interface ModelTotals {
  count: number;
  bytes: number;
}

export interface TrialModelRow {
  model_json: string;
  weights: Uint8Array;
  input_json: string | null;
  step: number | null;
}

export interface EncodedModel {
  modelJson: string;
  weights: Buffer;
  inputJson: string | null;
  step: number | null;
  bytes: number;
}

export function encodeModel(model: ModelArtifact): EncodedModel {
  if (!(model.weights instanceof Uint8Array)) throw new HpsearchError('E_USAGE', 'a model\'s weights must be a Uint8Array');
  if (model.step !== null && (!Number.isSafeInteger(model.step) || model.step < 0)) {
    throw new HpsearchError('E_USAGE', `a model's step must be a non-negative integer or null, got ${model.step}`);
  }
  const modelJson = JSON.stringify(model.modelJson);
  const weights = Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength);
  return {
    modelJson, weights, inputJson: model.input === null ? null : JSON.stringify(model.input), step: model.step,
    bytes: Buffer.byteLength(modelJson) + weights.byteLength,
  };
}

export function modelFromRow(row: TrialModelRow): ModelArtifact {
  return {
    modelJson: JSON.parse(row.model_json) as Record<string, unknown>,
    // A copy the caller owns: drivers may hand out views of pooled buffers.
    weights: new Uint8Array(row.weights),
    input: row.input_json === null ? null : (JSON.parse(row.input_json) as ModelInput),
    step: row.step,
  };
}

/** The number of best trials whose models stay, for a LIMIT (-1: no limit, SQLite's). */
export function retentionLimit(keep: ModelRetention): number | null {
  if (keep.top === 'all') return null;
  if (!Number.isSafeInteger(keep.top) || keep.top < 1) {
    throw new HpsearchError('E_USAGE', `models kept: top must be a positive integer or 'all', got ${String(keep.top)}`);
  }
  return keep.top;
}

/**
 * A model is kept only for a complete trial, by the run holding its claim (or by hand, token
 * null, for a trial nobody held): pruned and failed trials keep none.
 */
export function checkKeepable(trialId: number, found: ClaimRow | undefined, token: string | null, location: string): void {
  if (found === undefined) throw new HpsearchError('E_TRIAL_NOT_FOUND', `no trial with id ${trialId} in ${location}`);
  if (token !== null && found.claim_token !== token) {
    throw new HpsearchError('E_TRIAL_TAKEN_OVER', `trial ${found.number} was taken over by another run; its model was not kept`);
  }
  if (found.state !== 'complete') {
    throw new HpsearchError('E_USAGE', `trial ${found.number} is ${found.state}; only a complete trial keeps a model`);
  }
}
