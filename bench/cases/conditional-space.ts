/**
 * The space `npm run bench -- conditional` times the samplers on: an optimizer space with
 * conditional params, and the same params with no `when:` (the flat space, every param in every
 * trial). Written twice, here and in bench/reference/optuna_conditional_cost.py, with the same
 * names, ranges, branches and loss; the script checks the loss against the history's values.
 *
 * - lr: log-uniform in [1e-5, 1e-1]; optimizer: one of sgd, momentum, nesterov, adam;
 * - momentum in [0.5, 0.99] when the optimizer is momentum or nesterov;
 * - beta1 in [0.8, 0.99] and beta2 in [0.9, 0.9999] when it is adam;
 * - layers: an int in [1, 4]; units_3: an int in [16, 256] when layers >= 3.
 *
 * A random draw has 4.5 active params on average (lr, optimizer, layers; momentum half the time, the
 * two betas a quarter, units_3 half), the flat space 7.
 */
import { rngFor } from '../../src/random/rng.js';
import type { PastTrial } from '../../src/samplers/sampler.js';
import { activeParams, conditionsHold, decisionOrder } from '../../src/space/conditions.js';
import type { ParamSpec, ParamSpecs, Params, ParamValue, SearchSettings, SearchSpace } from '../../src/space/types.js';
import { sampleParam } from '../../src/space/distributions.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam'] as const;
type Optimizer = (typeof OPTIMIZERS)[number];

const MOMENTUM = { optimizer: { kind: 'in', values: ['momentum', 'nesterov'] } } as const;
const ADAM = { optimizer: { kind: 'in', values: ['adam'] } } as const;
const DEEP = { layers: { kind: 'range', min: 3 } } as const;

export const CONDITIONAL_PARAMS: ParamSpecs = {
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  optimizer: { type: 'categorical', choices: [...OPTIMIZERS] },
  momentum: { type: 'float', low: 0.5, high: 0.99, log: false, when: MOMENTUM },
  beta1: { type: 'float', low: 0.8, high: 0.99, log: false, when: ADAM },
  beta2: { type: 'float', low: 0.9, high: 0.9999, log: false, when: ADAM },
  layers: { type: 'int', low: 1, high: 4, log: false, step: 1 },
  units_3: { type: 'int', low: 16, high: 256, log: false, step: 1, when: DEEP },
};

export const FLAT_PARAMS: ParamSpecs = withoutConditions(CONDITIONAL_PARAMS);

/**
 * Grid points per param for the grid rows, each space about 100,000 points. Conditional:
 * 25 lr × (sgd 1 + momentum 8 + nesterov 8 + adam 5 × 5) × (1 + 1 + 48 + 48 layers-and-units)
 * = 102,900, a sum over branches. Flat, the cartesian product: 10 × 4 × 5 × 4 × 4 × 4 × 8 = 102,400.
 */
const CONDITIONAL_GRID = { lr: 25, momentum: 8, beta1: 5, beta2: 5, units_3: 48 };
const FLAT_GRID = { lr: 10, momentum: 5, beta1: 4, beta2: 4, units_3: 8 };

export const CONDITIONAL_GRID_PARAMS: ParamSpecs = withGrid(CONDITIONAL_PARAMS, CONDITIONAL_GRID);
export const FLAT_GRID_PARAMS: ParamSpecs = withGrid(FLAT_PARAMS, FLAT_GRID);

const OPTIMIZER_OFFSET = { sgd: 0.4, momentum: 0.15, nesterov: 0.1, adam: 0 } satisfies Record<Optimizer, number>;

/**
 * What the trials minimise: a bowl in log lr, an offset per optimizer, and a term for each
 * conditional param where its branch has it. It reads only active params, so a flat trial gets
 * the value of its active part. The values decide only which trials TPE counts as good.
 */
export function conditionalLoss(params: Params): number {
  const optimizer = params['optimizer'] as Optimizer;
  const layers = numberParam(params, 'layers');
  let loss = ((Math.log10(numberParam(params, 'lr')) + 3) / 2) ** 2 + OPTIMIZER_OFFSET[optimizer] + ((layers - 3) / 2) ** 2;
  if (optimizer === 'momentum' || optimizer === 'nesterov') loss += ((numberParam(params, 'momentum') - 0.9) / 0.2) ** 2;
  if (optimizer === 'adam') loss += ((numberParam(params, 'beta1') - 0.9) / 0.1) ** 2 + ((numberParam(params, 'beta2') - 0.999) / 0.05) ** 2;
  if (layers >= 3) loss += ((numberParam(params, 'units_3') - 128) / 128) ** 2;
  return loss;
}

/** A finished trial of the bench's histories: its params and its loss. */
export interface HistoryTrial {
  params: Params;
  value: number;
}

/**
 * The two histories of `count` finished trials: random draws over the flat space (each param
 * from its own stream), and the same trials with only their active params; a trial has the same
 * value in both. What a draw costs does not depend on where the trials lie, only on how many
 * there are and how many of them have each param.
 */
export function buildHistories(seed: number, count: number): { conditional: HistoryTrial[]; flat: HistoryTrial[] } {
  const conditional: HistoryTrial[] = [];
  const flat: HistoryTrial[] = [];
  for (let number = 0; number < count; number++) {
    const all: Params = {};
    for (const [name, spec] of Object.entries(FLAT_PARAMS)) all[name] = sampleParam(rngFor(seed, 'bench-history', number, name), spec);
    const active = activeParams(CONDITIONAL_PARAMS, all);
    const value = conditionalLoss(active);
    conditional.push({ params: active, value });
    flat.push({ params: all, value });
  }
  return { conditional, flat };
}

/** A history as a sampler reads it: complete trials numbered from 0, as TPE drew them. */
export function pastTrials(history: readonly HistoryTrial[]): PastTrial[] {
  return history.map(({ params, value }, number) => ({ number, state: 'complete', params, value, samplerState: { phase: 'tpe' } }));
}

/**
 * Define-by-run over the conditional space, as an objective would run it: each param its branch
 * has is asked (parents first, with its distribution and no `when:`), and the values returned
 * decide which are asked next. Returns the trial's params.
 */
export async function askBranch(ask: (name: string, spec: ParamSpec, params: Params) => Promise<ParamValue>): Promise<Params> {
  const params: Params = {};
  for (const name of decisionOrder(CONDITIONAL_PARAMS)) {
    const { when: _when, ...asked } = CONDITIONAL_PARAMS[name];
    if (conditionsHold(CONDITIONAL_PARAMS[name], params)) params[name] = await ask(name, asked as ParamSpec, { ...params });
  }
  return params;
}

/** A space as the loader would give it, over `params`, minimising. */
export function benchSpace(params: ParamSpecs, search: SearchSettings, seed: number): SearchSpace {
  return {
    study: 'conditional',
    seed,
    objective: { metric: 'loss', direction: 'minimize' },
    search,
    params,
    enqueue: [],
    earlyStopping: null,
    divergence: null,
    pruner: { type: 'none' },
    saveModels: null,
  };
}

function withoutConditions(specs: ParamSpecs): ParamSpecs {
  return Object.fromEntries(Object.entries(specs).map(([name, { when: _when, ...spec }]) => [name, spec as ParamSpec]));
}

function withGrid(specs: ParamSpecs, points: Record<string, number>): ParamSpecs {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, name in points ? ({ ...spec, grid: points[name] } as ParamSpec) : spec]));
}

function numberParam(params: Params, name: string): number {
  const value = params[name];
  if (typeof value !== 'number') throw new Error(`conditional bench: param "${name}" is ${JSON.stringify(value)}, expected a number`);
  return value;
}
