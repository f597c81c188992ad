/**
 * A trained built-in model as a TF.js Layers model (issue 17): a `tf.sequential` of tf.layers
 * whose inference forward pass is the model's own (mlp.ts, cnn.ts), given the trained weights,
 * then serialised to a ModelArtifact that `tf.loadLayersModel` loads in plain TF.js on any
 * backend.
 *
 * Layer by layer, as the models compute it in evaluation:
 * - mlp: per hidden layer dense (no bias with batch norm) → [batchNormalization, moving
 *   statistics, epsilon BATCH_NORM_EPSILON] → activation → [dropout]; then the dense output
 *   layer, whose logits are the model's output (the softmax is the loss's, so it is not here).
 * - cnn: per block conv2d (stride 1, same) → activation → maxPooling2d (2, stride 2, valid);
 *   flatten (channels last, row-major: the model's own reshape) → dense → activation →
 *   [dropout] → dense output.
 * Dropout layers do nothing at inference; they are kept so the file shows the architecture.
 * Layers get fixed names (hidden0, hidden0_bn, ...) so two exports of one architecture match.
 */
import type { LayersModel, Sequential, Tensor } from '@tensorflow/tfjs';
import { HpsearchError } from '../../errors.js';
import { MODEL_WEIGHTS_FILE, type ModelArtifact, type ModelInput } from '../../storage/model-artifact.js';
import type { Tf } from '../tf.js';
import { LEAKY_RELU_ALPHA } from '../models/activations.js';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM } from '../models/mlp.js';
import type { ModelShape } from '../models/model-types.js';
import type { ModelState } from '../models/model-state.js';
import type { Activation, CnnSpec, MlpSpec, ModelSpec } from '../types.js';

type AnyLayer = Parameters<Sequential['add']>[0];

/** What the artifact says besides the model: its input contract and the step its weights are from. */
export interface ArtifactAbout {
  input: ModelInput | null;
  step: number | null;
}

/**
 * The model `state` describes, as a Layers model. The caller disposes it; `state` stays the
 * caller's (setWeights copies).
 */
export function buildLayersModel(tf: Tf, spec: ModelSpec, shape: ModelShape, state: ModelState): Sequential {
  if (spec.type !== state.type) throw new HpsearchError('E_INTERNAL', `a ${state.type} state cannot fill a ${spec.type} model`);
  const model = tf.sequential({ name: spec.type });
  try {
    if (spec.type === 'mlp') addMlp(tf, model, spec, shape, state as Extract<ModelState, { type: 'mlp' }>);
    else addCnn(tf, model, spec, shape, state as Extract<ModelState, { type: 'cnn' }>);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** Adds `layer` to the model and sets its weights (in the layer's own order) right away. */
function add(model: Sequential, layer: AnyLayer, weights: (Tensor | null)[] = []): void {
  model.add(layer);
  const present = weights.filter((w): w is Tensor => w !== null);
  if (present.length > 0) layer.setWeights(present);
}

function activationLayer(tf: Tf, activation: Activation, name: string): AnyLayer {
  if (activation === 'leaky_relu') return tf.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name });
  // tf.layers' sigmoid, tanh, relu, elu (alpha 1) and selu are the ops the models use.
  return tf.layers.activation({ activation, name });
}

function addMlp(tf: Tf, model: Sequential, spec: MlpSpec, shape: ModelShape, state: Extract<ModelState, { type: 'mlp' }>): void {
  if (state.hidden.length !== spec.hidden.length) throw new HpsearchError('E_INTERNAL', `the state has ${state.hidden.length} hidden layers, the spec ${spec.hidden.length}`);
  spec.hidden.forEach((units, i) => {
    const layer = state.hidden[i]!;
    const name = `hidden${i}`;
    const bn = layer.batchNorm;
    add(
      model,
      tf.layers.dense({ units, useBias: bn === null, kernelInitializer: 'zeros', name, ...(i === 0 ? { inputShape: [shape.features] } : {}) }),
      [layer.kernel, bn === null ? layer.bias : null],
    );
    if (bn !== null) {
      add(model, tf.layers.batchNormalization({ axis: -1, epsilon: BATCH_NORM_EPSILON, momentum: BATCH_NORM_MOMENTUM, name: `${name}_bn` }), [
        bn.gamma,
        bn.beta,
        bn.movingMean,
        bn.movingVariance,
      ]);
    }
    add(model, activationLayer(tf, spec.activation, `${name}_${spec.activation}`));
    if (spec.dropout > 0) add(model, tf.layers.dropout({ rate: spec.dropout, name: `${name}_dropout` }));
  });
  add(
    model,
    tf.layers.dense({ units: shape.classes, kernelInitializer: 'zeros', name: 'output', ...(spec.hidden.length === 0 ? { inputShape: [shape.features] } : {}) }),
    [state.output.kernel, state.output.bias],
  );
}

function addCnn(tf: Tf, model: Sequential, spec: CnnSpec, shape: ModelShape, state: Extract<ModelState, { type: 'cnn' }>): void {
  if (shape.imageShape === null) throw new HpsearchError('E_INTERNAL', 'a cnn needs the image shape');
  spec.filters.forEach((filters, i) => {
    const conv = state.convs[i]!;
    const name = `conv${i}`;
    add(
      model,
      tf.layers.conv2d({
        filters,
        kernelSize: spec.kernel,
        strides: 1,
        padding: 'same',
        kernelInitializer: 'zeros',
        name,
        ...(i === 0 ? { inputShape: shape.imageShape! } : {}),
      }),
      [conv.kernel, conv.bias],
    );
    add(model, activationLayer(tf, spec.activation, `${name}_${spec.activation}`));
    add(model, tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `${name}_pool` }));
  });
  add(model, tf.layers.flatten({ name: 'flatten' }));
  add(model, tf.layers.dense({ units: spec.dense, kernelInitializer: 'zeros', name: 'dense' }), [state.dense.kernel, state.dense.bias]);
  add(model, activationLayer(tf, spec.activation, `dense_${spec.activation}`));
  if (spec.dropout > 0) add(model, tf.layers.dropout({ rate: spec.dropout, name: 'dense_dropout' }));
  add(model, tf.layers.dense({ units: shape.classes, kernelInitializer: 'zeros', name: 'output' }), [state.output.kernel, state.output.bias]);
}

/** A Layers model as `model.json`'s content and the bytes of its one weights file. */
export async function serializeLayersModel(tf: Tf, model: LayersModel): Promise<{ modelJson: Record<string, unknown>; weights: Uint8Array }> {
  let saved: { modelJson: Record<string, unknown>; weights: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.concatenateArrayBuffers(artifacts.weightData);
      saved = {
        modelJson: {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: artifacts.generatedBy,
          convertedBy: 'hpsearch',
          weightsManifest: [{ paths: [MODEL_WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
        },
        weights: new Uint8Array(data),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: data.byteLength } };
    }),
  );
  return saved!;
}

/** The trained model `state` describes, as a ModelArtifact; everything made on the way is disposed. */
export async function layersModelArtifact(tf: Tf, spec: ModelSpec, shape: ModelShape, state: ModelState, about: ArtifactAbout): Promise<ModelArtifact> {
  const model = buildLayersModel(tf, spec, shape, state);
  try {
    const { modelJson, weights } = await serializeLayersModel(tf, model);
    return { modelJson, weights, input: about.input, step: about.step };
  } finally {
    model.dispose();
  }
}
