import { describe, expect, it } from 'vitest';
import { PACK_MEMORY_FACTOR, packKey, packMemberBytes } from '../../../src/task/train/pack-key.js';
import type { TaskSpec } from '../../../src/task/types.js';
import { MNIST_SMALL } from '../export/helpers.js';
import { cnn, mlp, trainSpec } from './helpers.js';

const task = (overrides: { model?: Partial<TaskSpec['model']>; train?: Partial<TaskSpec['train']>; dataset?: Partial<TaskSpec['dataset']> } = {}): TaskSpec => ({
  dataset: { ...MNIST_SMALL, ...overrides.dataset },
  model: mlp(overrides.model as never),
  train: trainSpec(overrides.train),
});

describe('packKey', () => {
  const key = packKey(task());

  it('is the same for trials that differ only in what a pack holds per member', () => {
    expect(key).not.toBeNull();
    const same = [
      task({ train: { learningRate: 0.3, weightDecay: 1e-4, momentum: 0.5, beta1: 0.8, beta2: 0.9, rho: 0.5, epsilon: 1e-3 } }),
      task({ train: { schedule: { type: 'step', factor: 0.5, every: 2 } } }),
      task({ model: { dropout: 0.3, initializer: 'random_normal', initStd: 0.2 } }),
    ];
    for (const t of same) expect(packKey(t)).toBe(key);
    const clipped = packKey(task({ train: { clipValue: 1, clipNorm: 2, maxNorm: 3 } }));
    expect(packKey(task({ train: { clipValue: 0.1, clipNorm: 0.2, maxNorm: 0.3 } }))).toBe(clipped);
  });

  it('differs for anything that shapes the pack\'s tensors or steps', () => {
    const other = [
      task({ model: { hidden: [16, 8] } }),
      task({ model: { activation: 'tanh' } }),
      task({ model: { batchNorm: true } }),
      task({ dataset: { trainSamples: 200 } }),
      task({ train: { batchSize: 16 } }),
      task({ train: { epochs: 6 } }),
      task({ train: { optimizer: 'adam' } }),
      task({ train: { clipValue: 1 } }),
      task({ train: { clipNorm: 1 } }),
      task({ train: { maxNorm: 1 } }),
    ];
    const keys = other.map(packKey);
    for (const k of keys) expect(k).not.toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is null for a model no pack trains', () => {
    expect(packKey({ ...task(), model: cnn() })).toBeNull();
  });
});

describe('packMemberBytes', () => {
  it('counts weights, gradients, slots and a batch\'s activations, times the temporaries factor', () => {
    // 10-16-16-4: P = 10·16+16 + 16·16+16 + 16·4+4 = 516; activations 32·(10 + 4·4 + 4·32) = 4928.
    const sgd = packMemberBytes(task({ train: { batchSize: 32 } }), 10, 4);
    expect(sgd).toBe(4 * PACK_MEMORY_FACTOR * (516 * 2 + 4928));
    expect(packMemberBytes(task({ train: { batchSize: 32, optimizer: 'adam' } }), 10, 4)).toBe(sgd + 4 * PACK_MEMORY_FACTOR * 516 * 2);
    expect(packMemberBytes(task({ train: { batchSize: 32, optimizer: 'momentum' } }), 10, 4)).toBe(sgd + 4 * PACK_MEMORY_FACTOR * 516);
  });

  it('puts a best-5 member (784-100×6-10, batch 100, sgd) near 4 MB', () => {
    const bytes = packMemberBytes(task({ model: { hidden: [100, 100, 100, 100, 100, 100] }, train: { batchSize: 100 } }), 784, 10);
    expect(bytes / 1e6).toBeGreaterThan(2);
    expect(bytes / 1e6).toBeLessThan(6);
  });
});
