/**
 * The plain MLP (no batch norm) with a hand-written backward pass, laid out for the wasm
 * backend, where XNNPACK packs the right operand of each matMul (~8 ns per element) unless it
 * already did for that very tensor:
 *
 * - The first layer's kernel is kept transposed (units × features), so its forward product is
 *   Wᵀ·Xᵀ and its gradient dZᵀ·X: both right operands are batch tensors that live all trial
 *   (data.ts), packed once instead of the 784×100 kernel every step.
 * - Feature columns that are zero in every example are left out (data.ts zeroColumns); the
 *   kernel's rows for them only change through weight decay and max-norm, so they are kept as a
 *   separate variable only when one of those is on.
 * - Hidden and output layers use tf.fused.matMul (bias and activation in the same kernel) for the
 *   forward pass; bias gradients reuse the packed dZ through ones·dZ.
 * - The loss gradient is scaled by `scale` / batch size up front, so every gradient comes out
 *   already multiplied by the learning rate when sgd takes scaled gradients.
 *
 * Same math as differentiating Mlp.forward (test/task/train/fast-mlp.test.ts checks it);
 * dropout masks come from the model's mask source in the same order. The runner trains its own
 * copy of the first kernel: the model's first-layer kernel keeps its initial values.
 */
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { activate, activationGradFromOutput, fusedActivation, LEAKY_RELU_ALPHA } from '../models/activations.js';
import { variableOf } from '../models/initializers.js';
import type { Mlp } from '../models/mlp.js';
import { cloneState, disposeState, mapState, type MlpState } from '../models/model-state.js';
import type { MlpSpec, ModelSpec } from '../types.js';
import { unitGroup, type NormGroup } from './clipping.js';
import type { Batch } from './data.js';
import { correctCount, softmaxCrossEntropy } from './loss.js';
import type { Runner, StepResult, TrainedWeights } from './runner.js';

interface Layer {
  kernel: Variable;
  bias: Variable;
}

/** What one hidden layer keeps for the backward pass. */
interface Trace {
  /** Activation output. */
  a: Tensor;
  /** What the next layer reads: a, or a times the dropout mask. */
  h: Tensor;
  mask: Tensor | null;
}

export function fastPathApplies(spec: ModelSpec): spec is MlpSpec {
  return spec.type === 'mlp' && !spec.batchNorm;
}

export class FastMlp implements Runner {
  readonly params: Variable[];
  readonly weights: Variable[];
  readonly normGroups: NormGroup[];
  readonly layouts = { train: { rows: true, columns: true }, evaluate: { rows: false, columns: true } };
  readonly features: Int32Array | null;
  /** First kernel transposed, [units, used features]. */
  private readonly firstT: Variable;
  /** Its always-zero feature columns, [units, unused features]; null when dropped. */
  private readonly zeroT: Variable | null;
  /** zeroT is a param (its gradient is weight decay's only). */
  private readonly zeroTrained: boolean;
  private readonly firstBias: Variable;
  /** Hidden layers after the first, then the output layer. */
  private readonly upper: Layer[];
  private readonly ones = new Map<number, { row: Tensor2D; column: Tensor2D }>();
  private readonly columns: { active: Int32Array; inactive: Int32Array } | null;

  /**
   * `columns`: the feature split of data.ts zeroColumns, or null to use every feature.
   * `keepZero`: whether weight decay or max-norm still need the unused columns' weights.
   */
  constructor(
    private readonly tf: Tf,
    private readonly model: Mlp,
    columns: { active: Int32Array; inactive: Int32Array } | null,
    keepZero: { decay: boolean; maxNorm: boolean },
  ) {
    const first = model.hidden[0]!;
    this.columns = columns;
    this.features = columns?.active ?? null;
    this.firstT = variableOf(tf, () => tf.tidy(() => (columns === null ? tf.transpose(first.kernel) : tf.transpose(tf.gather(first.kernel, columns.active)))));
    this.zeroT =
      columns !== null && (keepZero.decay || keepZero.maxNorm)
        ? variableOf(tf, () => tf.tidy(() => tf.transpose(tf.gather(first.kernel, columns.inactive))))
        : null;
    this.firstBias = first.bias!;
    this.upper = [...model.hidden.slice(1), model.output].map((layer) => ({ kernel: layer.kernel, bias: layer.bias! }));
    const zero = this.zeroT !== null ? [this.zeroT] : [];
    this.zeroTrained = this.zeroT !== null && keepZero.decay;
    this.params = [this.firstT, ...(this.zeroTrained ? zero : []), this.firstBias, ...this.upper.flatMap((l) => [l.kernel, l.bias])];
    this.weights = [this.firstT, ...zero, ...this.upper.map((l) => l.kernel)];
    this.normGroups = [{ vars: [this.firstT, ...zero], axes: [1] }, ...this.upper.map((l) => unitGroup(l.kernel))];
  }

  private get spec(): MlpSpec {
    return this.model.spec;
  }

  private forward(batch: Batch, training: boolean, trace: Trace[] | null): Tensor2D {
    const tf = this.tf;
    const activation = this.spec.activation;
    const fused = fusedActivation(activation);
    const rate = training ? this.spec.dropout : 0;
    const record = (a: Tensor): Tensor => {
      const mask = rate > 0 ? this.model.masks.mask(tf, a.shape[0]!, a.shape[1]!, rate) : null;
      const h = mask !== null ? tf.mul(a, mask) : a;
      trace?.push({ a, h, mask });
      return h;
    };
    let h = record(activate(tf, tf.add(tf.transpose(tf.matMul(this.firstT, batch.xT!)), this.firstBias), activation));
    for (let l = 0; l < this.upper.length - 1; l++) {
      const { kernel, bias } = this.upper[l]!;
      const a =
        fused !== null
          ? tf.fused.matMul({ a: h as Tensor2D, b: kernel as Tensor2D, bias, activation: fused, leakyreluAlpha: LEAKY_RELU_ALPHA })
          : activate(tf, tf.fused.matMul({ a: h as Tensor2D, b: kernel as Tensor2D, bias }), activation);
      h = record(a);
    }
    const out = this.upper[this.upper.length - 1]!;
    return tf.fused.matMul({ a: h as Tensor2D, b: out.kernel as Tensor2D, bias: out.bias }) as Tensor2D;
  }

  private onesFor(size: number): { row: Tensor2D; column: Tensor2D } {
    let ones = this.ones.get(size);
    if (ones === undefined) {
      ones = { row: this.tf.keep(this.tf.ones([1, size])), column: this.tf.keep(this.tf.ones([size, 1])) };
      this.ones.set(size, ones);
    }
    return ones;
  }

  step(batch: Batch, scale: number): StepResult {
    const tf = this.tf;
    const trace: Trace[] = [];
    const logits = this.forward(batch, true, trace);
    const { probs, lossSum } = softmaxCrossEntropy(tf, logits, batch.oneHot);
    const correct = correctCount(tf, logits, batch.labels);
    const { row, column } = this.onesFor(batch.size);
    let dz: Tensor = tf.mul(tf.sub(probs, batch.oneHot), scale / batch.size);
    const upperGrads: Tensor[] = [];
    for (let l = this.upper.length - 1; l >= 0; l--) {
      const below = trace[l]!;
      const { kernel, bias } = this.upper[l]!;
      // The weight gradient packs dz; ones·dz then reuses that packing for the bias gradient.
      upperGrads.unshift(tf.matMul(tf.transpose(below.h), dz), tf.reshape(tf.matMul(row, dz), bias.shape));
      let dh = tf.matMul(dz, tf.transpose(kernel));
      if (below.mask !== null) dh = tf.mul(dh, below.mask);
      dz = activationGradFromOutput(tf, dh, below.a, this.spec.activation);
    }
    const dzT = tf.transpose(dz);
    const first = [tf.matMul(dzT, batch.x!), ...(this.zeroTrained ? [null] : []), tf.reshape(tf.matMul(dzT, column), this.firstBias.shape)];
    return { grads: [...first, ...upperGrads], lossSum, correct };
  }

  logits(batch: Batch): Tensor2D {
    return this.forward(batch, false, null);
  }

  /**
   * The model's variables and the runner's own first kernel (and zeroT), as they are: the full
   * first kernel is put back together only when the snapshot becomes a state (firstKernel).
   */
  snapshot(): TrainedWeights {
    const tf = this.tf;
    const state = cloneState(tf, this.model.state());
    const firstT = tf.clone(this.firstT);
    const zeroT = this.zeroT === null ? null : tf.clone(this.zeroT);
    const initial = (state as MlpState).hidden[0]!.kernel;
    return {
      toState: () => {
        const first = firstKernel(tf, initial, firstT, zeroT, this.columns);
        return mapState(state, (t) => (t === initial ? first : tf.clone(t)));
      },
      dispose: () => {
        disposeState(state);
        firstT.dispose();
        zeroT?.dispose();
      },
    };
  }

  dispose(): void {
    this.firstT.dispose();
    this.zeroT?.dispose();
    for (const { row, column } of this.ones.values()) {
      row.dispose();
      column.dispose();
    }
    this.ones.clear();
  }
}

/**
 * The first kernel back as [features, units]: the used features' rows from the trained firstT;
 * the always-zero ones' from zeroT when weight decay or max-norm moved them, else from the
 * model's kernel, where they still hold their initial values — what training the full model
 * would have left there, as no gradient reaches them. Put together in JavaScript: a gather or
 * scatter of rows on the device is slow on wasm, and this runs once per export.
 */
function firstKernel(
  tf: Tf,
  initial: Tensor,
  firstT: Tensor,
  zeroT: Tensor | null,
  columns: { active: Int32Array; inactive: Int32Array } | null,
): Tensor {
  if (columns === null) return tf.transpose(firstT);
  const [features, units] = initial.shape as [number, number];
  const full = Float32Array.from(initial.dataSync());
  const put = (rows: Int32Array, transposed: ArrayLike<number>) => {
    const n = rows.length;
    for (let i = 0; i < n; i++) {
      const base = rows[i]! * units;
      for (let u = 0; u < units; u++) full[base + u] = transposed[u * n + i]!;
    }
  };
  put(columns.active, firstT.dataSync());
  if (zeroT !== null) put(columns.inactive, zeroT.dataSync());
  return tf.tensor2d(full, [features, units]);
}
