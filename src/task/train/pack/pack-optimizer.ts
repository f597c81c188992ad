/**
 * optimizers.ts's Keras update rules for a pack: the same ops on stacked weights, each member's
 * hyperparameters a [K, 1, 1] column that broadcasts over its slice. Slots are kept per param
 * position (the pack replaces its variables when members leave, see keepRows).
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../../tf.js';
import { applyUpdate, type OptimizerSettings, type UpdateConstant } from '../optimizers.js';
import type { OptimizerName } from '../../types.js';

/** The L2 penalty's gradient, per member: rate = λ times the gradients' scale; keep = 1 − rate (sgd's folded form). */
export interface PackDecay {
  rate: Tensor;
  keep: Tensor;
  /** Param positions that are weight matrices. */
  weights: ReadonlySet<number>;
}

/** A [K, 1, 1] float32 column of per-member values. */
export function memberColumn(tf: Tf, values: readonly number[]): Tensor {
  return tf.tensor3d(Float32Array.from(values), [values.length, 1, 1]);
}

export class PackOptimizer {
  readonly name: OptimizerName;
  readonly takesScaledGradients: boolean;
  private constants: Record<UpdateConstant, Tensor> | null = null;
  private lr: Tensor | null = null;
  private lrValues: number[] = [];
  private slots = new Map<number, Variable[]>();
  private step = 0;

  constructor(
    private readonly tf: Tf,
    private members: OptimizerSettings[],
  ) {
    this.name = members[0]!.optimizer;
    this.takesScaledGradients = this.name === 'sgd';
    this.buildConstants();
  }

  private buildConstants(): void {
    const tf = this.tf;
    this.disposeConstants();
    const column = (f: (s: OptimizerSettings) => number) => tf.keep(memberColumn(tf, this.members.map(f)));
    this.constants = {
      momentum: column((s) => s.momentum),
      rho: column((s) => s.rho),
      oneMinusRho: column((s) => 1 - s.rho),
      beta1: column((s) => s.beta1),
      oneMinusBeta1: column((s) => 1 - s.beta1),
      beta2: column((s) => s.beta2),
      oneMinusBeta2: column((s) => 1 - s.beta2),
      epsilon: column((s) => s.epsilon),
    };
  }

  /** Each member's learning rate for the coming steps. */
  setLearningRates(lrs: readonly number[]): void {
    this.lr?.dispose();
    this.lrValues = [...lrs];
    this.lr = this.tf.keep(memberColumn(this.tf, lrs));
  }

  private state(i: number, like: Tensor, count: number, initial = 0): Variable[] {
    let slots = this.slots.get(i);
    if (slots === undefined) {
      const tf = this.tf;
      slots = Array.from({ length: count }, () => tf.tidy(() => tf.variable(tf.fill(like.shape, initial), false)));
      this.slots.set(i, slots);
    }
    return slots;
  }

  /** One update of vars[i] by grads[i] (null: no gradient but the decay's), optimizers.ts's rules per member. Call inside tf.tidy. */
  apply(vars: readonly Variable[], grads: readonly (Tensor | null)[], decay?: PackDecay): void {
    const tf = this.tf;
    const c = this.constants!;
    const lr = this.lr!;
    this.step++;
    let adamLr: Tensor | undefined;
    if (this.name === 'adam') {
      const t = this.step;
      adamLr = memberColumn(tf, this.members.map((s, k) => this.lrValues[k]! * (Math.sqrt(1 - s.beta2 ** t) / (1 - s.beta1 ** t))));
    }
    vars.forEach((w, i) => {
      const decays = decay !== undefined && decay.weights.has(i);
      const gi = grads[i] ?? null;
      if (this.name === 'sgd') {
        if (gi === null && !decays) return;
        const kept = decays ? tf.mul(w, decay.keep) : w;
        w.assign(gi === null ? kept : tf.sub(kept, gi));
        return;
      }
      let g = gi ?? tf.zerosLike(w);
      if (decays) g = tf.add(g, tf.mul(w, decay.rate));
      applyUpdate(tf, this.name, w, g, (count, initial) => this.state(i, w, count, initial), c, lr, adamLr);
    });
  }

  /** Keeps the members at `rows` (positions into the current members; `rowsTensor` the same as int32). */
  keepRows(rows: readonly number[], rowsTensor: Tensor): void {
    const tf = this.tf;
    this.members = rows.map((r) => this.members[r]!);
    this.lrValues = rows.map((r) => this.lrValues[r]!);
    for (const [i, slots] of this.slots) {
      this.slots.set(
        i,
        slots.map((v) => {
          const kept = tf.tidy(() => tf.variable(tf.gather(v, rowsTensor), false));
          v.dispose();
          return kept;
        }),
      );
    }
    this.buildConstants();
    this.lr?.dispose();
    this.lr = this.lrValues.length > 0 ? tf.keep(memberColumn(tf, this.lrValues)) : null;
  }

  private disposeConstants(): void {
    if (this.constants !== null) Object.values(this.constants).forEach((t) => t.dispose());
    this.constants = null;
  }

  dispose(): void {
    this.disposeConstants();
    this.lr?.dispose();
    this.lr = null;
    for (const slots of this.slots.values()) slots.forEach((v) => v.dispose());
    this.slots.clear();
  }
}
