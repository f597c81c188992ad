import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../../../src/task/datasets/index.js';
import { modelInput } from '../../../src/task/export/model-input.js';
import type { DatasetSpec } from '../../../src/task/types.js';
import { cnn, mlp } from '../train/helpers.js';

const images = { features: 784, imageShape: [28, 28, 1] as [number, number, number] };
const dataset = (source: DatasetSpec['source'], scale = true): DatasetSpec => ({ source, useTestSet: false, scale, shuffle: true });

describe('modelInput', () => {
  it('feeds an MLP the flat pixels and a CNN the image, scaled as in training', () => {
    const mnist = dataset({ type: 'builtin', name: 'mnist' });
    expect(modelInput(mnist, mlp(), images)).toEqual({ shape: [784], scaling: 'pixel / 255', labels: null });
    expect(modelInput(mnist, cnn(), images)).toEqual({ shape: [28, 28, 1], scaling: 'pixel / 255', labels: null });
    expect(modelInput(dataset({ type: 'idx', images: '/x', labels: '/y' }, false), mlp(), images).scaling).toBe('pixel (raw values, unscaled)');
  });

  it('names the classes of fashion-mnist, in label order', () => {
    const input = modelInput(dataset({ type: 'builtin', name: 'fashion-mnist' }), cnn(), images);
    expect(input.labels).toEqual([...FASHION_MNIST_CLASSES]);
    expect(input.labels).toHaveLength(10);
    expect(input.labels![1]).toBe('Trouser');
    expect(input.labels![9]).toBe('Ankle boot');
  });

  it('says what a CSV\'s features were divided by', () => {
    const csv = dataset({ type: 'csv', path: '/data.csv', labelColumn: 'label' });
    expect(modelInput(csv, mlp(), { features: 4, imageShape: null })).toEqual({ shape: [4], scaling: 'feature / 255', labels: null });
    expect(modelInput({ ...csv, scale: false }, mlp(), { features: 4, imageShape: null }).scaling).toBe('feature (raw values, unscaled)');
  });
});
