/**
 * What the training loop needs from a model: one step's gradients and the logits for evaluation.
 * AutodiffRunner differentiates model.forward with TF.js (any model); FastMlp (fast-mlp.ts) is the
 * hand-written equivalent for the plain MLP.
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import type { Model } from '../models/model-types.js';
import { cloneState, disposeState, type ModelState } from '../models/model-state.js';
import { unitGroup, type NormGroup } from './clipping.js';
import type { Batch } from './data.js';
import { correctCount, crossEntropySum } from './loss.js';

export interface StepResult {
  /** Gradients of the batch's mean data loss (no penalty), times `scale`, aligned with `params`; null = zero. */
  grads: (Tensor | null)[];
  /** Σ over the batch of the per-example loss (no penalty). */
  lossSum: Scalar;
  /** Examples classified right. */
  correct: Scalar;
}

/** A runner's snapshot of its weights. */
export interface TrainedWeights {
  /** The model they make, as the full model holds it (a first kernel for every feature): new tensors, the caller's. */
  toState(): ModelState;
  dispose(): void;
}

export interface BatchLayout {
  rows: boolean;
  columns: boolean;
}

export interface Runner {
  /** What the optimizer updates. */
  readonly params: readonly Variable[];
  /** Weight matrices (decay, penalty); every one is in `params` when weight decay is on. */
  readonly weights: readonly Variable[];
  /** What max-norm rescales. */
  readonly normGroups: readonly NormGroup[];
  /** What step and logits read of a batch: rows x [n, width] and/or columns xT [width, n]. */
  readonly layouts: { train: BatchLayout; evaluate: BatchLayout };
  /** Feature columns the runner reads (null: all). */
  readonly features: Int32Array | null;
  /** One training forward and backward pass. Call inside tf.tidy. */
  step(batch: Batch, scale: number): StepResult;
  /** Evaluation logits. Call inside tf.tidy. */
  logits(batch: Batch): Tensor2D;
  /**
   * The weights as trained so far, kept aside: later training leaves the copy alone. Cheap
   * (tf.clone shares the data, see model-state.ts), so restore_best can take one at every new
   * best step; the caller disposes it.
   */
  snapshot(): TrainedWeights;
  /** Disposes what the runner made (not the model). */
  dispose(): void;
}

export class AutodiffRunner implements Runner {
  readonly params: Variable[];
  readonly weights: Variable[];
  readonly normGroups: NormGroup[];
  readonly layouts = { train: { rows: true, columns: false }, evaluate: { rows: true, columns: false } };
  readonly features = null;

  constructor(
    private readonly tf: Tf,
    private readonly model: Model,
  ) {
    this.params = model.variables();
    this.weights = model.weights();
    this.normGroups = this.weights.map(unitGroup);
  }

  step(batch: Batch, scale: number): StepResult {
    const tf = this.tf;
    let correct: Scalar | undefined;
    let result: ReturnType<Tf['variableGrads']>;
    try {
      result = tf.variableGrads(() => {
        const logits = this.model.forward(batch.x!, true);
        // Kept so it outlives variableGrads' own scope; the caller's tf.tidy cannot see it, so
        // the training loop's totals take it over (and dispose it).
        correct = tf.keep(correctCount(tf, logits, batch.labels));
        return tf.div(crossEntropySum(tf, logits, batch.oneHot), batch.size) as Scalar;
      }, this.params);
    } catch (error) {
      correct?.dispose();
      throw error;
    }
    const { value, grads } = result;
    return {
      grads: this.params.map((v) => {
        const g = grads[v.name];
        return g === undefined ? null : scale === 1 ? g : tf.mul(g, scale);
      }),
      lossSum: tf.mul(value, batch.size) as Scalar,
      correct: correct!,
    };
  }

  logits(batch: Batch): Tensor2D {
    return this.model.forward(batch.x!, false);
  }

  snapshot(): TrainedWeights {
    const tf = this.tf;
    const state = cloneState(tf, this.model.state());
    return { toState: () => cloneState(tf, state), dispose: () => disposeState(state) };
  }

  dispose(): void {}
}
