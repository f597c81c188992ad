/**
 * Which trials can be trained together as one pack (pack-loop.ts), and what one member of a
 * pack costs in device memory, so that the engine can claim trials that fit.
 *
 * A pack shares everything that shapes its tensors or its step sequence: the model's layers
 * (mlp only), the data, the batch size, the epochs, the optimizer's kind (its update ops and
 * slots), and whether clipping and max-norm run at all. Everything else is a per-member value
 * the pack holds as a [K,1,1] tensor or computes in JavaScript: learning rate and schedule,
 * weight decay, momentum, β₁, β₂, ρ, ε, the clip and max-norm thresholds, the dropout rate,
 * the initializer and its std, and the seed.
 */
import { HpsearchError } from '../../errors.js';
import type { TaskSpec } from '../types.js';

export function packKey(task: TaskSpec): string | null {
  const shape = packShape(task);
  return shape === null ? null : JSON.stringify({ dataset: task.dataset, ...shape });
}

/** What a pack's members share besides the dataset; null for a model no pack trains (cnn). */
export function packShape({ model, train }: Pick<TaskSpec, 'model' | 'train'>): Record<string, unknown> | null {
  if (model.type !== 'mlp') return null;
  return {
    model: { type: model.type, hidden: model.hidden, activation: model.activation, batchNorm: model.batchNorm },
    train: {
      batchSize: train.batchSize,
      epochs: train.epochs,
      optimizer: train.optimizer,
      clipValue: train.clipValue !== null,
      clipNorm: train.clipNorm !== null,
      maxNorm: train.maxNorm !== null,
    },
  };
}

/** Optimizer slots per parameter (optimizers.ts). */
const SLOTS = { sgd: 0, momentum: 1, nesterov: 1, adagrad: 1, rmsprop: 1, adam: 2 } as const;

/** Headroom for the temporaries a step makes besides the ones counted (TF's allocator, update intermediates). */
export const PACK_MEMORY_FACTOR = 2;

/**
 * Device bytes one member of a pack takes, roughly, as float32 (4 bytes):
 *
 *   P = Σ over dense layers (in·out + out), plus 4·units per batch-norm layer
 *   bytes = 4 · FACTOR · ( P · (2 + slots)                                  weights, gradients, slots
 *                          + batch · (features + classes·4 + Σ hidden·4) )   batch rows, logits/probs/dz, per hidden layer a, h, mask, dz
 *
 * with slots 0 for sgd, 2 for adam, 1 otherwise, and FACTOR = PACK_MEMORY_FACTOR. The shared
 * training and validation sets are not per member and not counted; validation runs in chunks
 * bounded in total (pack/pack-data.ts PACK_VALIDATION_ELEMENTS), not per member. A peak
 * estimate: what stays allocated between steps is less (a best-5 member, 4.7 MB here, measured
 * ~0.5 MB of tf.memory().numBytes at an epoch's end at K = 64: its weights).
 */
export function packMemberBytes(task: TaskSpec, features: number, classes: number): number {
  const { model, train } = task;
  if (model.type !== 'mlp') throw new HpsearchError('E_INTERNAL', 'packMemberBytes: only mlp tasks pack');
  const widths = [features, ...model.hidden, classes];
  let params = 0;
  for (let l = 0; l + 1 < widths.length; l++) params += widths[l]! * widths[l + 1]! + widths[l + 1]!;
  if (model.batchNorm) params += 4 * model.hidden.reduce((a, b) => a + b, 0);
  const activations = train.batchSize * (features + 4 * classes + 4 * model.hidden.reduce((a, b) => a + b, 0));
  return 4 * PACK_MEMORY_FACTOR * (params * (2 + SLOTS[train.optimizer]) + activations);
}
