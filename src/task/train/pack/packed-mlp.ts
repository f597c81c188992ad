/**
 * K MLPs of one shape as one: every weight gets a leading member axis (kernels [K, in, out],
 * biases and batch-norm vectors [K, 1, units]) and each layer is one batched matMul, so a
 * step costs the op count of one trial whatever K is (per-op overhead is what a small MLP's
 * step is made of on a native backend).
 *
 * Nothing here reduces across the member axis: every sum is over a member's own examples or
 * units (axes 1 and 2), so a NaN in one member's weights stays in that member's slice.
 *
 * The backward pass is written by hand, as fast-mlp.ts's, batch norm's included
 * (normalizeBackward): fewer ops than TF.js's autodiff. Same math as differentiating Mlp.forward, which
 * trainModel does for batch norm (test/task/train/pack-loop.test.ts compares them).
 */
import type { Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../../tf.js';
import { activate, activationGradFromOutput } from '../../models/activations.js';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, type Mlp } from '../../models/mlp.js';
import { cloneState, disposeState, type DenseState, type MlpState } from '../../models/model-state.js';
import type { MlpSpec } from '../../types.js';
import type { TrainedWeights } from '../runner.js';

export interface PackedBatchNorm {
  gamma: Variable;
  beta: Variable;
  movingMean: Variable;
  movingVariance: Variable;
}

export interface PackedDense {
  /** [K, inputs, units] */
  kernel: Variable;
  /** [K, 1, units]; null when batch norm follows. */
  bias: Variable | null;
  /** [K, 1, units] each. */
  batchNorm: PackedBatchNorm | null;
}

/** One step's examples, every member's batch padded to n rows. */
export interface PackedBatch {
  /** [K, n, features] */
  x: Tensor;
  /** [K, n, classes] */
  oneHot: Tensor;
  /** [K, n] int32 */
  labels: Tensor;
  /** [K, n, 1]: 1 for a member's own example, 0 for padding; null when no member's batch is padded. */
  weight: Tensor | null;
  /** [K, 1, 1] real examples per member (batch-norm moments); null with weight null. */
  count: Tensor | null;
  /** What dL/dlogits is multiplied by: weight · scale / size per member ([K, n, 1], or [K, 1, 1] without padding). */
  coef: Tensor;
  /** Per hidden layer, the dropout masks [K, n, units], or null when no member drops out. */
  masks: (Tensor | null)[];
}

export interface PackedStep {
  /** Aligned with params: the gradients of each member's mean batch loss times its scale; null = zero. */
  grads: (Tensor | null)[];
  /** [K]: Σ of each member's per-example loss over its own examples. */
  lossSum: Tensor;
  /** [K]: each member's correctly classified examples. */
  correct: Tensor;
}

/** The first kernel's rows split by feature (data.ts zeroColumns): the pack reads only the active ones. */
export interface ColumnSplit {
  active: Int32Array;
  inactive: Int32Array;
}

export class PackedMlp {
  /** The hidden layers, then the output layer; the first kernel holds the active features' rows only. */
  private layers: PackedDense[];
  /**
   * The first kernel's rows for the features that are zero in every example, [K, inactive,
   * units] (null without a column split). No data gradient reaches them: they are a param, with
   * gradient null, only when weight decay or max-norm moves them (`zeroTrained`), as in fast-mlp.ts.
   */
  private zero: Variable | null;

  private constructor(
    private readonly tf: Tf,
    readonly spec: MlpSpec,
    layers: PackedDense[],
    zero: Variable | null,
    private readonly columns: ColumnSplit | null,
    private readonly zeroTrained: boolean,
  ) {
    this.layers = layers;
    this.zero = zero;
  }

  /**
   * The members' models stacked in order (their variables stay theirs). `columns`: the first
   * kernel's split (null: read every feature);
   * `keepZero`: whether weight decay or max-norm change the unused rows.
   */
  static stack(tf: Tf, spec: MlpSpec, models: readonly Mlp[], columns: ColumnSplit | null, keepZero: boolean): PackedMlp {
    const stackOf = (pick: (m: Mlp) => Tensor, vector: boolean, trainable = true): Variable =>
      tf.tidy(() => {
        const stacked = tf.stack(models.map(pick));
        return tf.variable(vector ? tf.expandDims(stacked, 1) : stacked, trainable);
      });
    const firstOf = (m: Mlp) => m.hidden[0] ?? m.output;
    const layerOf = (pick: (m: Mlp) => Mlp['output'], index: number): PackedDense => {
      const first = pick(models[0]!);
      const rows = index === 0 && columns !== null ? columns.active : null;
      return {
        kernel: stackOf((m) => (rows === null ? pick(m).kernel : tf.gather(pick(m).kernel, rows)), false),
        bias: first.bias === null ? null : stackOf((m) => pick(m).bias!, true),
        batchNorm:
          first.batchNorm === null
            ? null
            : {
                gamma: stackOf((m) => pick(m).batchNorm!.gamma, true),
                beta: stackOf((m) => pick(m).batchNorm!.beta, true),
                movingMean: stackOf((m) => pick(m).batchNorm!.movingMean, true, false),
                movingVariance: stackOf((m) => pick(m).batchNorm!.movingVariance, true, false),
              },
      };
    };
    const layers = [...spec.hidden.map((_, i) => layerOf((m) => m.hidden[i]!, i)), layerOf((m) => m.output, spec.hidden.length)];
    const zero = columns === null ? null : stackOf((m) => tf.gather(firstOf(m).kernel, columns.inactive), false, keepZero);
    return new PackedMlp(tf, spec, layers, zero, columns, zero !== null && keepZero);
  }

  /** What the optimizer updates, in layer order: kernel (first: and the unused rows when trained), bias or gamma and beta. */
  get params(): Variable[] {
    return this.layers.flatMap((l, i) => [
      l.kernel,
      ...(i === 0 && this.zeroTrained ? [this.zero!] : []),
      ...(l.bias !== null ? [l.bias] : []),
      ...(l.batchNorm !== null ? [l.batchNorm.gamma, l.batchNorm.beta] : []),
    ]);
  }

  /** The weight matrices (decay, penalty), the unused rows among them when trained. */
  get kernels(): Variable[] {
    return [...this.layers.map((l) => l.kernel), ...(this.zeroTrained ? [this.zero!] : [])];
  }

  /** What max-norm rescales together (axis 1 summed): each kernel; the first with its unused rows. */
  get normGroups(): Variable[][] {
    return this.layers.map((l, i) => (i === 0 && this.zeroTrained ? [l.kernel, this.zero!] : [l.kernel]));
  }

  private variables(): Variable[] {
    return [...(this.zero !== null ? [this.zero] : []), ...this.layers.flatMap((l) => [
      l.kernel,
      ...(l.bias !== null ? [l.bias] : []),
      ...(l.batchNorm !== null ? [l.batchNorm.gamma, l.batchNorm.beta, l.batchNorm.movingMean, l.batchNorm.movingVariance] : []),
    ])];
  }

  /** Keeps the members at `rows` (int32 [K']), in that order: every variable is gathered anew. */
  keepRows(rows: Tensor): void {
    const tf = this.tf;
    const take = (v: Variable): Variable => {
      const kept = tf.tidy(() => tf.variable(tf.gather(v, rows), v.trainable));
      v.dispose();
      return kept;
    };
    this.layers = this.layers.map((l) => ({
      kernel: take(l.kernel),
      bias: l.bias === null ? null : take(l.bias),
      batchNorm:
        l.batchNorm === null
          ? null
          : { gamma: take(l.batchNorm.gamma), beta: take(l.batchNorm.beta), movingMean: take(l.batchNorm.movingMean), movingVariance: take(l.batchNorm.movingVariance) },
    }));
    if (this.zero !== null) this.zero = take(this.zero);
  }

  /** Member `row`'s weights as the alone model's state would hold them (new tensors, the caller's). */
  memberState(row: number): MlpState {
    const tf = this.tf;
    // A kernel [K, in, out] gives [in, out]; a vector [K, 1, units] gives [units].
    const kernel = (v: Tensor): Tensor => tf.tidy(() => tf.reshape(tf.slice(v, [row], [1]), v.shape.slice(1)));
    const vector = (v: Tensor): Tensor => tf.tidy(() => tf.reshape(tf.slice(v, [row], [1]), v.shape.slice(2)));
    const dense = (l: PackedDense, i: number): DenseState => ({
      kernel: i === 0 ? this.firstKernel(row) : kernel(l.kernel),
      bias: l.bias === null ? null : vector(l.bias),
      batchNorm:
        l.batchNorm === null
          ? null
          : { gamma: vector(l.batchNorm.gamma), beta: vector(l.batchNorm.beta), movingMean: vector(l.batchNorm.movingMean), movingVariance: vector(l.batchNorm.movingVariance) },
    });
    const hidden = this.layers.slice(0, -1).map(dense);
    return { type: 'mlp', hidden, output: dense(this.layers[this.layers.length - 1]!, this.layers.length - 1) };
  }

  /** Member `row`'s first kernel [features, units], every feature's row in place. */
  private firstKernel(row: number): Tensor {
    const tf = this.tf;
    const kernel = this.layers[0]!.kernel;
    return tf.tidy(() => {
      const active = tf.squeeze(tf.slice(kernel, [row], [1]), [0]);
      if (this.columns === null || this.zero === null) return active;
      const both = tf.concat([active, tf.squeeze(tf.slice(this.zero, [row], [1]), [0])], 0);
      // Row f of the full kernel is row position[f] of [active; inactive].
      const order = [...this.columns.active, ...this.columns.inactive];
      const position = new Int32Array(order.length);
      order.forEach((f, i) => (position[f] = i));
      return tf.gather(both, tf.tensor1d(position, 'int32'));
    });
  }

  /** A copy of member `row`'s weights that later steps leave alone (a device copy of one member, not of the pack). */
  snapshot(row: number): TrainedWeights {
    const state = this.memberState(row);
    return { toState: () => cloneState(this.tf, state), dispose: () => disposeState(state) };
  }

  /** Evaluation logits [K, c, classes] of examples every member sees: x [1, c, features]. Call inside tf.tidy. */
  logits(x: Tensor): Tensor {
    const tf = this.tf;
    let h = x;
    const hidden = this.layers.slice(0, -1);
    for (const layer of hidden) {
      let z = tf.matMul(h, layer.kernel);
      z = layer.batchNorm !== null ? this.normalize(z, layer.batchNorm) : tf.add(z, layer.bias!);
      h = activate(tf, z, this.spec.activation);
    }
    const out = this.layers[this.layers.length - 1]!;
    return tf.add(tf.matMul(h, out.kernel), out.bias!);
  }

  /** One training step's gradients, loss and accuracy. Call inside tf.tidy. */
  step(batch: PackedBatch): PackedStep {
    const tf = this.tf;
    const activation = this.spec.activation;
    // Each example's share of its member's batch-norm moments: w / count, or 1 / n unpadded.
    const share = this.spec.batchNorm ? (batch.weight === null ? 1 / batch.x.shape[1]! : tf.div(batch.weight, batch.count!)) : null;
    // inputs[l]: what layer l reads; outputs[l], norms[l]: hidden layer l's activation and batch-norm trace.
    const inputs: Tensor[] = [batch.x];
    const outputs: Tensor[] = [];
    const norms: (NormTrace | null)[] = [];
    this.layers.slice(0, -1).forEach((layer, l) => {
      // Not tf.fused.matMul: wasm's takes a rank-1 bias only, and tfjs-node's is these three ops anyway.
      const z = tf.matMul(inputs[l]!, layer.kernel);
      const norm = layer.batchNorm === null ? null : this.normalizeTraining(z, layer.batchNorm, batch);
      norms.push(norm);
      const a = activate(tf, norm?.y ?? tf.add(z, layer.bias!), activation);
      outputs.push(a);
      const mask = batch.masks[l] ?? null;
      inputs.push(mask !== null ? tf.mul(a, mask) : a);
    });
    const out = this.layers[this.layers.length - 1]!;
    const logits = tf.add(tf.matMul(inputs[inputs.length - 1]!, out.kernel), out.bias!);
    const { probs, lossSum } = packedSoftmaxCrossEntropy(tf, logits, batch.oneHot, batch.weight);
    const correct = packedCorrect(tf, logits, batch.labels, batch.weight);
    // dL/d(the layer's pre-activation output: bias added, or batch norm's y), then dL/dz.
    let dy: Tensor = tf.mul(tf.sub(probs, batch.oneHot), batch.coef);
    const grads: (Tensor | null)[] = [];
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const norm = norms[l] ?? null;
      let dz = dy;
      let offsets: Tensor[];
      if (norm === null) {
        offsets = [tf.sum(dy, 1, true)];
      } else {
        const back = normalizeBackward(tf, dy, norm, layer.batchNorm!.gamma, share!);
        dz = back.dz;
        offsets = [back.dGamma, back.dBeta];
      }
      grads.unshift(tf.matMul(inputs[l]!, dz, true, false), ...(l === 0 && this.zeroTrained ? [null] : []), ...offsets);
      if (l === 0) break;
      let dh = tf.matMul(dz, layer.kernel, false, true);
      const mask = batch.masks[l - 1] ?? null;
      if (mask !== null) dh = tf.mul(dh, mask);
      dy = activationGrad(tf, dh, outputs[l - 1]!, activation);
    }
    return { grads, lossSum, correct };
  }

  /**
   * Batch norm in training, per member: the moments of its own examples (padding weighted out),
   * biased variance, as Mlp.normalize; updates the moving statistics. Returns y and what the
   * backward pass needs.
   */
  private normalizeTraining(z: Tensor, bn: PackedBatchNorm, batch: PackedBatch): NormTrace {
    const tf = this.tf;
    let mean: Tensor;
    let centred: Tensor;
    let variance: Tensor;
    if (batch.weight === null) {
      mean = tf.mean(z, 1, true);
      centred = tf.sub(z, mean);
      variance = tf.mean(tf.square(centred), 1, true);
    } else {
      mean = tf.div(tf.sum(tf.mul(z, batch.weight), 1, true), batch.count!);
      centred = tf.sub(z, mean);
      variance = tf.div(tf.sum(tf.mul(tf.square(centred), batch.weight), 1, true), batch.count!);
    }
    const m = BATCH_NORM_MOMENTUM;
    bn.movingMean.assign(tf.add(tf.mul(bn.movingMean, m), tf.mul(mean, 1 - m)));
    bn.movingVariance.assign(tf.add(tf.mul(bn.movingVariance, m), tf.mul(variance, 1 - m)));
    const r = tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON));
    const normalized = tf.mul(centred, r);
    return { y: tf.add(tf.mul(normalized, bn.gamma), bn.beta), normalized, r };
  }

  /** Batch norm in evaluation: the moving statistics. */
  private normalize(z: Tensor, bn: PackedBatchNorm): Tensor {
    const tf = this.tf;
    const normalized = tf.mul(tf.sub(z, bn.movingMean), tf.rsqrt(tf.add(bn.movingVariance, BATCH_NORM_EPSILON)));
    return tf.add(tf.mul(normalized, bn.gamma), bn.beta);
  }

  dispose(): void {
    this.variables().forEach((v) => v.dispose());
    this.layers = [];
  }
}

/**
 * softmaxCrossEntropy (loss.ts) per member: probabilities [K, n, classes] and the loss summed
 * over each member's own examples [K].
 */
export function packedSoftmaxCrossEntropy(tf: Tf, logits: Tensor, oneHot: Tensor, weight: Tensor | null): { probs: Tensor; lossSum: Tensor } {
  const shifted = tf.sub(logits, tf.max(logits, 2, true));
  const exp = tf.exp(shifted);
  const total = tf.sum(exp, 2, true);
  const probs = tf.div(exp, total);
  const lossEx = tf.sub(tf.log(total), tf.sum(tf.mul(oneHot, shifted), 2, true));
  return { probs, lossSum: tf.sum(weight === null ? lossEx : tf.mul(lossEx, weight), [1, 2]) };
}

/** [K]: examples of each member whose largest logit is the label's. */
export function packedCorrect(tf: Tf, logits: Tensor, labels: Tensor, weight: Tensor | null): Tensor {
  const right = tf.cast(tf.equal(tf.argMax(logits, 2), labels), 'float32');
  return tf.sum(weight === null ? right : tf.mul(right, tf.reshape(weight, right.shape)), 1);
}

/**
 * activationGradFromOutput, with relu's derivative as sign(a) (a = relu(z) ≥ 0, so sign(a) is
 * exactly step(a), NaN included): one op where tfjs-node's step is six (isNaN, greater, ones,
 * fill, two selects), measured the largest share of a best-5 step's kernel calls.
 */
function activationGrad(tf: Tf, da: Tensor, a: Tensor, activation: MlpSpec['activation']): Tensor {
  return activation === 'relu' ? tf.mul(da, tf.sign(a)) : activationGradFromOutput(tf, da, a, activation);
}

/** What batch norm's backward pass reads of its forward pass (all [K, n, units] but r, [K, 1, units]). */
interface NormTrace {
  y: Tensor;
  /** x̂ = (z − μ)·r */
  normalized: Tensor;
  /** 1 / √(σ² + ε) */
  r: Tensor;
}

/**
 * Batch norm's gradients from dL/dy, per member, with example i's share s_i = w_i / count of its
 * member's moments (1/n unpadded; 0 for padding, whose dy is 0 too):
 *
 *   dx̂ = dy·γ;  dz_i = r·(dx̂_i − s_i·(Σⱼ dx̂ⱼ + x̂_i·Σⱼ dx̂ⱼ·x̂ⱼ));  dγ = Σᵢ dy_i·x̂_i;  dβ = Σᵢ dy_i
 *
 * (differentiating μ = Σ sⱼzⱼ and σ² = Σ sⱼ(zⱼ − μ)² through x̂; test/task/train/pack-loop.test.ts
 * holds it against TF.js's own gradients of Mlp.forward, which trainModel uses).
 */
function normalizeBackward(tf: Tf, dy: Tensor, trace: NormTrace, gamma: Tensor, share: Tensor | number): { dz: Tensor; dGamma: Tensor; dBeta: Tensor } {
  const { normalized, r } = trace;
  const dx = tf.mul(dy, gamma);
  const sum = tf.sum(dx, 1, true);
  const dot = tf.sum(tf.mul(dx, normalized), 1, true);
  const dz = tf.mul(r, tf.sub(dx, tf.mul(tf.add(sum, tf.mul(normalized, dot)), share)));
  return { dz, dGamma: tf.sum(tf.mul(dy, normalized), 1, true), dBeta: tf.sum(dy, 1, true) };
}
