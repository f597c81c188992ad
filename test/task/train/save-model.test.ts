import { beforeAll, describe, expect, it } from 'vitest';
import type { EarlyStoppingSpec } from '../../../src/space/stopping-spec.js';
import type { ModelArtifact } from '../../../src/storage/model-artifact.js';
import { EarlyStopping } from '../../../src/stopping/early-stopping.js';
import { modelInput } from '../../../src/task/export/model-input.js';
import type { Tf } from '../../../src/task/tf.js';
import { trainModel, type TrainOutcome } from '../../../src/task/train/train-loop.js';
import type { EpochMetrics, LoadedDataset, ModelSpec, TrainSpec } from '../../../src/task/types.js';
import { argmaxRows, loadArtifact, meanCrossEntropy, MNIST_SMALL, mnistSmall, predict } from '../export/helpers.js';
import { mlp, trainSpec, wasm } from './helpers.js';

let tf: Tf;
let data: LoadedDataset;
beforeAll(async () => {
  tf = await wasm();
  data = await mnistSmall();
});

const patience = (restoreBest: boolean, patience = 3): EarlyStoppingSpec => ({ monitor: 'val_loss', mode: 'min', patience, minDelta: 0, restoreBest });

/**
 * trainModel saving its model, with the main thread's early stopping played by a second
 * instance of the same rule (as trial-monitor.ts runs it); `stopAt` stops it there as a pruner would.
 */
async function train(spec: ModelSpec, settings: Partial<TrainSpec>, earlyStopping: EarlyStoppingSpec | null, stopAt?: number) {
  const main = earlyStopping === null ? null : new EarlyStopping(earlyStopping);
  const epochs: EpochMetrics[] = [];
  const before = tf.memory().numTensors;
  const outcome: TrainOutcome = await trainModel(tf, { model: spec, train: trainSpec({ batchSize: 50, ...settings }) }, data, {
    seed: 5,
    saveModel: { input: modelInput(MNIST_SMALL, spec, data), earlyStopping, metric: 'val_accuracy' },
    onEpoch: (epoch, metrics) => {
      epochs.push(metrics);
      return epoch === stopAt || main?.observe(epoch, metrics) != null;
    },
  });
  const leaked = tf.memory().numTensors - before;
  return { outcome, epochs, leaked, bestStep: main?.bestStep ?? null };
}

/** The artifact's own val_loss and val_accuracy on the validation set (no weight decay in these runs, so no penalty). */
async function evaluate(artifact: ModelArtifact): Promise<{ val_loss: number; val_accuracy: number }> {
  const loaded = await loadArtifact(tf, artifact);
  try {
    const logits = predict(tf, loaded, artifact, data.validation.x);
    const predicted = argmaxRows(logits, data.classes);
    const correct = predicted.filter((c, i) => c === data.validation.y[i]).length;
    return { val_loss: meanCrossEntropy(logits, data.validation.y, data.classes), val_accuracy: correct / data.validation.count };
  } finally {
    loaded.dispose();
  }
}

function modelOf(outcome: TrainOutcome): ModelArtifact | undefined {
  return outcome.status === 'diverged' ? undefined : outcome.model;
}

describe('trainModel with saveModel', () => {
  it('exports the last epoch of a complete trial, without leaking', async () => {
    const { outcome, epochs, leaked } = await train(mlp({ hidden: [32] }), { epochs: 3, learningRate: 0.1 }, null);
    expect(leaked).toBe(0);
    expect(outcome.status).toBe('complete');
    const model = modelOf(outcome)!;
    expect(model.step).toBe(3);
    expect(model.input!.shape).toEqual([784]);
    const own = await evaluate(model);
    expect(own.val_accuracy).toBe(epochs[2]!.val_accuracy);
    expect(own.val_loss).toBeCloseTo(epochs[2]!.val_loss, 5);
  });

  for (const { batchNorm, learningRate, wait } of [
    { batchNorm: false, learningRate: 0.5, wait: 3 },
    { batchNorm: true, learningRate: 2, wait: 5 },
  ]) {
    it(`restore_best: the best step's weights, not the last (${batchNorm ? 'batch norm: its moving statistics too' : 'fast path'})`, async () => {
      // Far too high a rate for 200 examples: val_loss bottoms out within a few epochs, then climbs.
      const spec = mlp({ hidden: [64], batchNorm });
      const { outcome, epochs, leaked, bestStep } = await train(spec, { epochs: 30, learningRate }, patience(true, wait));
      expect(leaked).toBe(0);
      expect(outcome.status).toBe('stopped');
      expect(bestStep).not.toBeNull();
      expect(bestStep!).toBeLessThan(epochs.length);
      const model = modelOf(outcome)!;
      expect(model.step).toBe(bestStep);
      const best = epochs[bestStep! - 1]!;
      const last = epochs.at(-1)!;
      expect(Math.abs(best.val_loss - last.val_loss)).toBeGreaterThan(1e-3);
      const own = await evaluate(model);
      expect(own.val_accuracy).toBe(best.val_accuracy);
      expect(own.val_loss).toBeCloseTo(best.val_loss, 5);
    });
  }

  it('restore_best on a trial that runs to the end: its best step', async () => {
    const { outcome, epochs, bestStep } = await train(mlp({ hidden: [64] }), { epochs: 20, learningRate: 0.5 }, patience(true, 100));
    expect(outcome.status).toBe('complete');
    expect(bestStep!).toBeLessThan(20);
    const model = modelOf(outcome)!;
    expect(model.step).toBe(bestStep);
    expect((await evaluate(model)).val_loss).toBeCloseTo(epochs[bestStep! - 1]!.val_loss, 5);
  });

  it('early stopping without restore_best: the epoch it stopped at', async () => {
    const { outcome, epochs } = await train(mlp({ hidden: [64] }), { epochs: 30, learningRate: 0.5 }, patience(false));
    expect(outcome.status).toBe('stopped');
    const model = modelOf(outcome)!;
    expect(model.step).toBe(epochs.length);
    expect((await evaluate(model)).val_loss).toBeCloseTo(epochs.at(-1)!.val_loss, 5);
  });

  it('exports nothing for a trial stopped by anything but early stopping (a pruned one)', async () => {
    const pruned = await train(mlp({ hidden: [16] }), { epochs: 5, learningRate: 0.1 }, patience(true, 100), 2);
    expect(pruned.outcome.status).toBe('stopped');
    expect(modelOf(pruned.outcome)).toBeUndefined();
    expect(pruned.leaked).toBe(0);
  });
});
