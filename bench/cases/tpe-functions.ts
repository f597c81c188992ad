/**
 * Synthetic objectives of the hyperparameter kind for `npm run bench -- tpe`, all minimised over
 * one space: two log-scaled floats (a learning rate and a weight decay), an int (a layer count)
 * and a categorical (an optimizer). They are written twice, here and in
 * bench/reference/tpe_synthetic.py, with the same names, formulas and order of operations; the
 * bench evaluates both at CHECK_POINTS and stops if they disagree, so hpsearch and Optuna are
 * held to the same surfaces.
 *
 * In terms of a = log10(learning_rate), b = log10(weight_decay), n = layers, c = optimizer:
 * - bowl: a smooth bowl in log space; the optimizer adds an offset. Minimum 0.
 * - ripple: a bowl plus a one-decade ripple in a and b, a parity bump in n; the optimizer moves
 *   the learning rate's optimum and adds an offset. Minimum 0.
 * - valley: the best weight decay follows the learning rate (a narrow diagonal valley in (a, b),
 *   where a univariate model sees only the marginals); the best layer count depends on the
 *   optimizer. Minimum 0.
 * - cliff: an error rate that jumps to a flat 0.9 (a diverged run) above a learning rate that
 *   depends on the optimizer, with its optimum 0.7 decades below the cliff and a small texture.
 */
import type { Params } from '../../src/space/types.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type Optimizer = (typeof OPTIMIZERS)[number];

/** The `params:` section every synthetic study uses. */
export const SYNTHETIC_PARAMS = {
  learning_rate: { type: 'float', low: 1e-5, high: 1, log: true },
  weight_decay: { type: 'float', low: 1e-7, high: 1e-1, log: true },
  layers: { type: 'int', low: 1, high: 10 },
  optimizer: { type: 'categorical', choices: [...OPTIMIZERS] },
} as const;

export interface SyntheticPoint {
  learning_rate: number;
  weight_decay: number;
  layers: number;
  optimizer: Optimizer;
}

export interface SyntheticFunction {
  name: string;
  evaluate(point: SyntheticPoint): number;
}

const TAU = 2 * Math.PI;

const RIPPLE_LR = { sgd: -1.5, momentum: -2.2, adam: -3.3 } satisfies Record<Optimizer, number>;
const RIPPLE_OFFSET = { sgd: 0.15, momentum: 0.05, adam: 0 } satisfies Record<Optimizer, number>;
const BOWL_OFFSET = { sgd: 0.5, momentum: 0.2, adam: 0 } satisfies Record<Optimizer, number>;
const VALLEY_LAYERS = { sgd: 3, momentum: 5, adam: 7 } satisfies Record<Optimizer, number>;
const VALLEY_OFFSET = { sgd: 0.3, momentum: 0.1, adam: 0 } satisfies Record<Optimizer, number>;
const CLIFF_LR = { sgd: -0.5, momentum: -1.0, adam: -1.8 } satisfies Record<Optimizer, number>;

export const SYNTHETIC_FUNCTIONS: readonly SyntheticFunction[] = [
  {
    name: 'bowl',
    evaluate: ({ learning_rate, weight_decay, layers, optimizer }) => {
      const a = Math.log10(learning_rate);
      const b = Math.log10(weight_decay);
      return ((a + 2.5) / 2) ** 2 + ((b + 4) / 3) ** 2 + ((layers - 6) / 4) ** 2 + BOWL_OFFSET[optimizer];
    },
  },
  {
    name: 'ripple',
    evaluate: ({ learning_rate, weight_decay, layers, optimizer }) => {
      const u = Math.log10(learning_rate) - RIPPLE_LR[optimizer];
      const v = Math.log10(weight_decay) + 5;
      return (
        (u / 2) ** 2 +
        (v / 3) ** 2 +
        0.4 * (1 - Math.cos(TAU * u)) +
        0.25 * (1 - Math.cos(TAU * v)) +
        ((layers - 4) / 3) ** 2 +
        0.15 * (layers % 2) +
        RIPPLE_OFFSET[optimizer]
      );
    },
  },
  {
    name: 'valley',
    evaluate: ({ learning_rate, weight_decay, layers, optimizer }) => {
      const u = Math.log10(learning_rate) + 2.5;
      const v = Math.log10(weight_decay) + 4;
      return ((u - v) / 2) ** 2 + ((u + v) / 4) ** 2 + ((layers - VALLEY_LAYERS[optimizer]) / 3) ** 2 + VALLEY_OFFSET[optimizer];
    },
  },
  {
    name: 'cliff',
    evaluate: ({ learning_rate, weight_decay, layers, optimizer }) => {
      const a = Math.log10(learning_rate);
      const b = Math.log10(weight_decay);
      if (a > CLIFF_LR[optimizer]) return 0.9;
      const peak = Math.exp(-(((a - CLIFF_LR[optimizer] + 0.7) / 1.2) ** 2) - ((b + 4.5) / 2.5) ** 2);
      return 1 - 0.88 * peak + 0.01 * (layers - 5) ** 2 + 0.03 * Math.sin(5 * a) * Math.cos(3 * b);
    },
  },
];

/** A trial's params as a point of the synthetic space (they come from a study over SYNTHETIC_PARAMS). */
export function toPoint(params: Params): SyntheticPoint {
  const { learning_rate, weight_decay, layers, optimizer } = params;
  if (typeof learning_rate !== 'number' || typeof weight_decay !== 'number' || typeof layers !== 'number') {
    throw new Error(`not a point of the synthetic space: ${JSON.stringify(params)}`);
  }
  if (!OPTIMIZERS.includes(optimizer as Optimizer)) throw new Error(`unknown optimizer ${JSON.stringify(optimizer)}`);
  return { learning_rate, weight_decay, layers, optimizer: optimizer as Optimizer };
}

/**
 * Where the TS and Python definitions must agree: each function's optimum for each optimizer,
 * the corners, and points spread over the space by a fixed low-discrepancy rule (no RNG, so the
 * list is the same on every run), none on the cliff's edge.
 */
export const CHECK_POINTS: readonly SyntheticPoint[] = [
  ...OPTIMIZERS.flatMap((optimizer): SyntheticPoint[] => [
    { learning_rate: 10 ** -2.5, weight_decay: 1e-4, layers: 6, optimizer },
    { learning_rate: 10 ** RIPPLE_LR[optimizer], weight_decay: 1e-5, layers: 4, optimizer },
    { learning_rate: 10 ** (CLIFF_LR[optimizer] - 0.7), weight_decay: 10 ** -4.5, layers: 5, optimizer },
    { learning_rate: 1e-5, weight_decay: 1e-7, layers: 1, optimizer },
    { learning_rate: 1, weight_decay: 1e-1, layers: 10, optimizer },
  ]),
  ...Array.from({ length: 24 }, (_, i): SyntheticPoint => ({
    // Additive recurrences with irrational steps (golden ratio, sqrt 2): an even spread.
    learning_rate: 10 ** (-5 + 5 * fraction(0.5 + i * 0.6180339887498949)),
    weight_decay: 10 ** (-7 + 6 * fraction(0.25 + i * 0.41421356237309503)),
    layers: 1 + (i % 10),
    optimizer: OPTIMIZERS[i % 3],
  })),
];

function fraction(x: number): number {
  return x - Math.floor(x);
}
