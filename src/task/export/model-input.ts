/**
 * The input contract of an exported task model: what one example looks like to it, how the
 * dataset's raw values were turned into what it trained on (splitDataset's scaling), and what
 * its outputs are called.
 */
import type { ModelInput } from '../../storage/model-artifact.js';
import { FASHION_MNIST_CLASSES } from '../datasets/index.js';
import type { DatasetSpec, LoadedDataset, ModelSpec } from '../types.js';

export function modelInput(dataset: DatasetSpec, model: ModelSpec, data: Pick<LoadedDataset, 'features' | 'imageShape'>): ModelInput {
  // An MLP reads the flat vector; a CNN the image (its forward pass reshapes the vector to it).
  const shape = model.type === 'cnn' && data.imageShape !== null ? [...data.imageShape] : [data.features];
  const value = dataset.source.type === 'csv' ? 'feature' : 'pixel';
  const scaling = dataset.scale ? `${value} / 255` : `${value} (raw values, unscaled)`;
  const labels = dataset.source.type === 'builtin' && dataset.source.name === 'fashion-mnist' ? [...FASHION_MNIST_CLASSES] : null;
  return { shape, scaling, labels };
}
