import { describe, expect, it, vi } from 'vitest';
import { HpsearchError } from '../../../src/errors.js';
import { initBackend } from '../../../src/task/backend.js';
import { originalBatchMatMulGradient } from '../../../src/task/fast-gradients.js';
import { isInstalled as installed } from '../../../src/task/native-packages.js';

const nativeAbsent = !installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu');

describe('initBackend', () => {
  // First in the file: the cpu banner only shows on the cpu backend's first tensor of the process.
  it('selects cpu on request without printing the "install tfjs-node" banner', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const { tf, backend } = await initBackend('cpu');
      expect(backend).toBe('cpu');
      expect(tf.getBackend()).toBe('cpu');
      tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync());
      expect(warn.mock.calls.flat().join(' ')).not.toMatch(/Hi, looks like you are running TensorFlow\.js in Node\.js/);
    } finally {
      warn.mockRestore();
    }
  });

  it('selects wasm, once per thread, and comes back to it after another choice', async () => {
    const first = await initBackend('wasm');
    expect(first.backend).toBe('wasm');
    expect(first.tf.getBackend()).toBe('wasm');
    await initBackend('cpu');
    const again = await initBackend('wasm');
    expect(again).toBe(first);
    expect(again.tf.getBackend()).toBe('wasm');
  });

  it('registers the fast BatchMatMul gradient on wasm', async () => {
    const { tf } = await initBackend('wasm');
    const original = originalBatchMatMulGradient(tf);
    expect(original).toBeDefined();
    expect(tf.getGradient('BatchMatMul')).not.toBe(original);
  });

  it.runIf(nativeAbsent)('auto falls back to wasm when no native package is installed', async () => {
    const { backend } = await initBackend('auto');
    expect(backend).toBe('wasm');
  });

  it.runIf(!installed('@tensorflow/tfjs-node'))('rejects "tensorflow" with how to install @tensorflow/tfjs-node', async () => {
    const error = await initBackend('tensorflow').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HpsearchError);
    expect((error as HpsearchError).code).toBe('E_USAGE');
    expect((error as HpsearchError).message).toMatch(/npm install @tensorflow\/tfjs-node\b/);
    expect((error as HpsearchError).message).toMatch(/libtensorflow/);
    expect((error as HpsearchError).message).toMatch(/internet/);
    // The failed attempt leaves the engine on a working backend.
    const { tf } = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it.runIf(!installed('@tensorflow/tfjs-node-gpu'))('rejects "tensorflow-gpu" naming @tensorflow/tfjs-node-gpu', async () => {
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu/);
  });
});
