/**
 * `ctx.saveModel(model)`: a user's `tf.LayersModel` as a ModelArtifact, without importing TF.js
 * (the objective brings its own copy, maybe another version): the model saves itself into an
 * IOHandler object that keeps the artifacts it is handed, in the layout `tf.io.fromMemory` and
 * `model.json` files use.
 */
import { MODEL_WEIGHTS_FILE, type ModelArtifact } from '../../storage/model-artifact.js';

/** What TF.js hands an IOHandler's `save` (tf.io.ModelArtifacts), as far as it is read here. */
interface SavedArtifacts {
  modelTopology?: unknown;
  weightSpecs?: unknown[];
  /** One buffer, or (TF.js 4.x with large models) several to be joined. */
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: unknown;
}

interface SavableModel {
  save(handler: { save(artifacts: SavedArtifacts): Promise<unknown> }): Promise<unknown>;
}

function isSavable(model: unknown): model is SavableModel {
  return typeof model === 'object' && model !== null && typeof (model as { save?: unknown }).save === 'function';
}

function joinWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return joined;
}

/** Serialises `model` (a tf.LayersModel) as the trial's model at `step`; rejects with a TypeError naming what is wrong. */
export async function layersModelArtifact(model: unknown, step: number | null): Promise<ModelArtifact> {
  if (!isSavable(model)) {
    throw new TypeError('ctx.saveModel: expected a tf.LayersModel (tf.sequential() or tf.model()), got something without a save() method');
  }
  let saved: SavedArtifacts | undefined;
  await model.save({
    save: async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  if (saved?.modelTopology === undefined || saved.modelTopology instanceof ArrayBuffer) {
    throw new TypeError('ctx.saveModel: the model saved no JSON topology; only a tf.LayersModel can be kept (a graph model cannot)');
  }
  const modelJson: Record<string, unknown> = {
    modelTopology: saved.modelTopology,
    format: saved.format ?? 'layers-model',
    generatedBy: saved.generatedBy ?? null,
    convertedBy: saved.convertedBy ?? null,
    weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: saved.weightSpecs ?? [] }],
  };
  if (saved.trainingConfig !== undefined) modelJson.trainingConfig = saved.trainingConfig;
  return { modelJson, weights: joinWeights(saved.weightData), input: null, step };
}
