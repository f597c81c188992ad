/**
 * How the task kind packs (src/task/pack.ts): which trials share a pack, and what size `auto`
 * and a K asked for come to on each backend, within the memory bound.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParamSpecs } from '../../src/space/types.js';
import { AUTO_PACK_SIZE, PACK_MEMORY_BYTES, packSize, taskPacking } from '../../src/task/pack.js';
import { packMemberBytes } from '../../src/task/train/pack-key.js';
import type { TaskSpec } from '../../src/task/types.js';
import { REPO } from '../helpers/temp.js';

const DATA = join(REPO, 'test', 'fixtures', 'spaces', 'data');

function task(model: Partial<TaskSpec['model']> = {}, source: TaskSpec['dataset']['source'] = { type: 'builtin', name: 'mnist' }): TaskSpec {
  return {
    dataset: { source, trainSamples: 500, validationSplit: 0.2, useTestSet: false, scale: true, shuffle: true },
    model: { type: 'mlp', hidden: [100, 100], activation: 'relu', initializer: 'he_normal', initStd: 0.01, batchNorm: false, dropout: 0, ...model } as TaskSpec['model'],
    train: {
      optimizer: 'sgd', learningRate: 0.01, momentum: 0.9, beta1: 0.9, beta2: 0.999, rho: 0.9, epsilon: 1e-7, batchSize: 100, epochs: 5,
      weightDecay: 0, schedule: { type: 'constant' }, clipValue: null, clipNorm: null, maxNorm: null,
    },
  };
}

const LR: ParamSpecs = { learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true } };

describe('which trials of a task share a pack', () => {
  it('trials that differ only in optimizer settings, decay, dropout or initializer share a key; another width, batch size or optimizer does not', () => {
    const key = (params: Record<string, number | string>) => taskPacking.key(task(), params, { task: task() });
    const base = key({ learning_rate: 0.01 });
    expect(base).not.toBeNull();
    expect(key({ learning_rate: 0.001, weight_decay: 1e-5, dropout: 0.3, initializer: 'glorot_uniform' })).toBe(base);
    expect(key({ learning_rate: 0.01, batch_size: 50 })).not.toBe(base);
    expect(key({ learning_rate: 0.01, optimizer: 'adam' })).not.toBe(base);
    expect(taskPacking.key(task({ hidden: [100, 50] }), { learning_rate: 0.01 }, { task: task() })).not.toBe(base);
  });

  it('a cnn never packs', async () => {
    const cnn = { ...task(), model: { type: 'cnn', filters: [8], kernel: 3, dense: 16, dropout: 0, activation: 'relu', initializer: 'he_normal', initStd: 0.01 } } as TaskSpec;
    expect(taskPacking.key(cnn, {}, { task: cnn })).toBeNull();
    expect(await packSize(cnn, 'tensorflow', {}, 'auto')).toEqual({ size: 1, why: 'off: only MLP tasks pack (this one is a cnn)' });
  });
});

describe('the pack size', () => {
  it('auto packs on the native backends and not on wasm or cpu; a K asked for is taken on any backend', async () => {
    expect((await packSize(task(), 'tensorflow', LR, 'auto')).size).toBe(AUTO_PACK_SIZE.tensorflow);
    expect((await packSize(task(), 'tensorflow-gpu', LR, 'auto')).size).toBe(AUTO_PACK_SIZE['tensorflow-gpu']);
    expect(await packSize(task(), 'wasm', LR, 'auto')).toMatchObject({ size: 1, why: expect.stringMatching(/^off on the wasm backend, where a pack trains slower/) as string });
    expect((await packSize(task(), 'cpu', LR, 'auto')).size).toBe(1);
    expect(await packSize(task(), 'wasm', LR, 5)).toMatchObject({ size: 5, why: expect.stringMatching(/^packs of up to 5 trials of one model shape \(as asked; about \d+ MiB a pack\)$/) as string });
  });

  it('cuts any size to what fits the memory bound, the training set counted, and says by how much', async () => {
    const wide = task({ hidden: [2048, 2048] });
    const member = packMemberBytes(wide, 784, 10);
    const data = 4 * 500 * (784 + 10);
    const fits = Math.floor((PACK_MEMORY_BYTES - data) / member);
    expect(fits).toBeGreaterThan(1);
    expect(fits).toBeLessThan(AUTO_PACK_SIZE.tensorflow);
    const { size, why } = await packSize(wide, 'tensorflow', {}, 'auto');
    expect(size).toBe(fits);
    expect(why).toMatch(new RegExp(`^packs of at most ${fits} trials: a member takes about \\d+ MiB and a pack at most 1024 MiB after the training set's 2 MiB \\(asked ${AUTO_PACK_SIZE.tensorflow}\\)$`));
    // All 60,000 MNIST images on the device leave room for fewer.
    const full = { ...wide, dataset: { ...wide.dataset, trainSamples: undefined } } as TaskSpec;
    expect((await packSize(full, 'tensorflow', {}, 'auto')).size).toBe(Math.floor((PACK_MEMORY_BYTES - 4 * 60_000 * 794) / member));
  });

  it('is off when not even two members fit', async () => {
    expect(await packSize(task({ hidden: [4096, 4096, 4096] }), 'tensorflow', {}, 'auto')).toMatchObject({ size: 1, why: expect.stringMatching(/^off: a member takes about \d+ MiB, and no two fit within 1024 MiB$/) as string });
  });

  it('reads the input width of IDX and CSV data from their headers for the bound', async () => {
    // One wide layer: the first kernel, features × 8192, is most of a member.
    const idx = task({ hidden: [8192] }, { type: 'idx', images: join(DATA, 'tiny-images.idx'), labels: join(DATA, 'tiny-labels.idx') });
    const csv = task({ hidden: [8192] }, { type: 'csv', path: join(DATA, 'tiny.csv'), labelColumn: 'species' });
    // Tiny inputs: more members fit than with MNIST's 784 pixels.
    const mnist = (await packSize(task({ hidden: [8192] }), 'tensorflow', {}, 200)).size;
    expect(mnist).toBeLessThan(200);
    expect((await packSize(idx, 'tensorflow', {}, 200)).size).toBeGreaterThan(mnist);
    expect((await packSize(csv, 'tensorflow', {}, 200)).size).toBeGreaterThan(mnist);
  });

});
