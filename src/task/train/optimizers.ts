/**
 * Optimizers with Keras' update rules (the book's), state kept in non-trainable variables, and
 * every update a few TF.js ops (call apply inside the step's tf.tidy).
 *
 *   sgd       w ← w − lr·g
 *   momentum  v ← m·v − lr·g;  w ← w + v
 *   nesterov  v ← m·v − lr·g;  w ← w + m·v − lr·g
 *   adagrad   a ← a + g² (a₀ = 0.1);  w ← w − lr·g / (√a + ε)
 *   rmsprop   s ← ρ·s + (1 − ρ)·g²;  w ← w − lr·g / (√s + ε)
 *   adam      m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)
 *
 * tf.train's optimizers differ in details (momentum applies lr after the velocity, adagrad and
 * adam put ε elsewhere), and sgd here can take gradients with lr already folded in (see below).
 */
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { variableOf } from '../models/initializers.js';
import type { OptimizerName, TrainSpec } from '../types.js';

/** Keras' Adagrad initial_accumulator_value. */
export const ADAGRAD_INITIAL_ACCUMULATOR = 0.1;

export interface Optimizer {
  readonly name: OptimizerName;
  /**
   * True for sgd: apply() then takes gradients already multiplied by the learning rate, which
   * the fast MLP path folds into its backward pass (one op less per variable and step).
   */
  readonly takesScaledGradients: boolean;
  setLearningRate(lr: number): void;
  /**
   * One update of vars[i] by grads[i] (null: no gradient but the decay's). With `decay`, each of
   * its weights w gets the L2 penalty's gradient rate·w added; sgd folds that into the update,
   * w ← w·(1 − rate) − g, saving an op per weight. Call inside tf.tidy.
   */
  apply(vars: readonly Variable[], grads: readonly (Tensor | null)[], decay?: Decay): void;
  /** Disposes the optimizer's state and constants. */
  dispose(): void;
}

export interface Decay {
  /** λ times the factor the gradients carry (the learning rate when sgd takes scaled gradients). */
  rate: number;
  weights: ReadonlySet<Variable>;
}

export type OptimizerSettings = Pick<TrainSpec, 'optimizer' | 'learningRate' | 'momentum' | 'beta1' | 'beta2' | 'rho' | 'epsilon'>;

/** The constants of the update rules: scalars for one trial, [K, 1, 1] columns for a pack (pack/pack-optimizer.ts). */
export type UpdateConstant = 'momentum' | 'rho' | 'oneMinusRho' | 'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon';

/**
 * One update of weight `w` by its gradient `g` (weight decay's already added) under the rules
 * above, for every optimizer but sgd: `slots(count, initial)` gives the weight's state
 * variables, `lr` the learning rate and `adamLr` adam's bias-corrected one. The constants and
 * rates are scalars for one trial, or [K, 1, 1] columns that broadcast over a pack's member axis:
 * the same ops either way. Call inside tf.tidy.
 */
export function applyUpdate(
  tf: Tf,
  name: Exclude<OptimizerName, 'sgd'>,
  w: Variable,
  g: Tensor,
  slots: (count: number, initial?: number) => Variable[],
  c: Record<UpdateConstant, Tensor>,
  lr: Tensor,
  adamLr: Tensor | undefined,
): void {
  switch (name) {
    case 'momentum':
    case 'nesterov': {
      const [v] = slots(1) as [Variable];
      const lrG = tf.mul(lr, g);
      const velocity = tf.sub(tf.mul(c.momentum, v), lrG);
      v.assign(velocity);
      w.assign(name === 'momentum' ? tf.add(w, velocity) : tf.sub(tf.add(w, tf.mul(c.momentum, velocity)), lrG));
      return;
    }
    case 'adagrad': {
      const [a] = slots(1, ADAGRAD_INITIAL_ACCUMULATOR) as [Variable];
      const acc = tf.add(a, tf.square(g));
      a.assign(acc);
      w.assign(tf.sub(w, tf.div(tf.mul(lr, g), tf.add(tf.sqrt(acc), c.epsilon))));
      return;
    }
    case 'rmsprop': {
      const [s] = slots(1) as [Variable];
      const ms = tf.add(tf.mul(c.rho, s), tf.mul(c.oneMinusRho, tf.square(g)));
      s.assign(ms);
      w.assign(tf.sub(w, tf.div(tf.mul(lr, g), tf.add(tf.sqrt(ms), c.epsilon))));
      return;
    }
    case 'adam': {
      const [m, v] = slots(2) as [Variable, Variable];
      const m1 = tf.add(tf.mul(c.beta1, m), tf.mul(c.oneMinusBeta1, g));
      const v1 = tf.add(tf.mul(c.beta2, v), tf.mul(c.oneMinusBeta2, tf.square(g)));
      m.assign(m1);
      v.assign(v1);
      w.assign(tf.sub(w, tf.div(tf.mul(adamLr!, m1), tf.add(tf.sqrt(v1), c.epsilon))));
      return;
    }
  }
}

export function createOptimizer(tf: Tf, settings: OptimizerSettings): Optimizer {
  return new KerasOptimizer(tf, settings);
}

class KerasOptimizer implements Optimizer {
  readonly name: OptimizerName;
  readonly takesScaledGradients: boolean;
  private lr: Scalar;
  private readonly constants: Record<string, Scalar> = {};
  private readonly slots = new Map<Variable, Variable[]>();
  private step = 0;

  constructor(
    private readonly tf: Tf,
    private readonly settings: OptimizerSettings,
  ) {
    this.name = settings.optimizer;
    this.takesScaledGradients = settings.optimizer === 'sgd';
    this.lr = tf.keep(tf.scalar(settings.learningRate));
    const { momentum, beta1, beta2, rho, epsilon } = settings;
    const values = { momentum, oneMinusRho: 1 - rho, rho, beta1, oneMinusBeta1: 1 - beta1, beta2, oneMinusBeta2: 1 - beta2, epsilon };
    for (const [key, value] of Object.entries(values)) this.constants[key] = tf.keep(tf.scalar(value));
  }

  setLearningRate(lr: number): void {
    this.lr.dispose();
    this.lr = this.tf.keep(this.tf.scalar(lr));
  }

  private state(v: Variable, count: number, initial = 0): Variable[] {
    let slots = this.slots.get(v);
    if (slots === undefined) {
      slots = Array.from({ length: count }, () => variableOf(this.tf, () => this.tf.fill(v.shape, initial), false));
      this.slots.set(v, slots);
    }
    return slots;
  }

  apply(vars: readonly Variable[], grads: readonly (Tensor | null)[], decay?: Decay): void {
    const tf = this.tf;
    const c = this.constants as Record<UpdateConstant, Scalar>;
    this.step++;
    let adamLr: Scalar | undefined;
    if (this.name === 'adam') {
      const { beta1, beta2 } = this.settings;
      adamLr = tf.mul(this.lr, Math.sqrt(1 - beta2 ** this.step) / (1 - beta1 ** this.step)) as Scalar;
    }
    vars.forEach((w, i) => {
      const decays = decay !== undefined && decay.rate > 0 && decay.weights.has(w);
      if (this.name === 'sgd') {
        const gi = grads[i] ?? null;
        if (gi === null && !decays) return;
        const kept = decays ? tf.mul(w, 1 - decay.rate) : w;
        w.assign(gi === null ? kept : tf.sub(kept, gi));
        return;
      }
      let g = grads[i] ?? tf.zerosLike(w);
      if (decays) g = tf.add(g, tf.mul(w, decay.rate));
      applyUpdate(tf, this.name, w, g, (count, initial) => this.state(w, count, initial), c, this.lr, adamLr);
    });
  }

  dispose(): void {
    this.lr.dispose();
    Object.values(this.constants).forEach((s) => s.dispose());
    for (const slots of this.slots.values()) slots.forEach((v) => v.dispose());
    this.slots.clear();
  }
}
