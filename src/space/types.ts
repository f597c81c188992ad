/**
 * The search space as hpsearch uses it after parsing and validation.
 * The file format (YAML or JSON) is described by `schema.ts`; this is its checked, normalised form.
 */

import type { PrunerSpec } from './pruner-spec.js';
import type { DivergenceSpec, EarlyStoppingSpec } from './stopping-spec.js';

export type ParamValue = number | string | boolean | null;
export type Params = Record<string, ParamValue>;

/** Named metric values a trial reports, e.g. { val_accuracy: 0.8 }; NaN and ±Infinity must survive storage. */
export type Metrics = Record<string, number>;

export type Direction = 'maximize' | 'minimize';
export type Strategy = 'grid' | 'random' | 'narrowing' | 'tpe';

/**
 * One clause of a param's `when:`: the parent's value is one of `values`, or a number within
 * [min, max] (either end may be left out; both inclusive).
 */
export type ConditionClause =
  | { readonly kind: 'in'; readonly values: readonly ParamValue[] }
  | { readonly kind: 'range'; readonly min?: number; readonly max?: number };

/**
 * `when:`: parent param name → the clause its value must meet. A param is active in a trial when
 * every parent is active and meets its clause; an inactive param is absent from the trial's params.
 */
export type ParamConditions = Readonly<Record<string, ConditionClause>>;

/** What every param spec may carry. */
interface ParamBase {
  /** The conditions under which the param exists; absent: always. */
  when?: ParamConditions;
}

export interface FloatParam extends ParamBase {
  type: 'float';
  low: number;
  high: number;
  log: boolean;
  /** Discretisation step (not with log). */
  step?: number;
  /** Grid search: explicit points. */
  values?: number[];
  /** Grid search: number of points between low and high (log-spaced when log). */
  grid?: number;
}

export interface IntParam extends ParamBase {
  type: 'int';
  low: number;
  high: number;
  log: boolean;
  step: number;
  values?: number[];
  grid?: number;
}

export interface CategoricalParam extends ParamBase {
  type: 'categorical';
  choices: ParamValue[];
}

export interface FixedParam extends ParamBase {
  type: 'fixed';
  value: ParamValue;
}

export type NumericParam = FloatParam | IntParam;
export type ParamSpec = FloatParam | IntParam | CategoricalParam | FixedParam;
export type ParamSpecs = Record<string, ParamSpec>;

/** Each objective kind's checked settings, by the key that selects it; kinds add theirs by declaration merging. */
export interface ObjectiveSpecs {}

/**
 * `objective:`: the metric and direction, and the settings of the one objective kind given, under
 * its name (`module`: the module's absolute path; `task`: the normalised training task). Kinds
 * declare their settings' types in `ObjectiveSpecs` (see objective-kind.ts).
 */
export interface ObjectiveSpec extends Partial<ObjectiveSpecs> {
  /** Name of the metric the objective's value stands for, e.g. `val_accuracy`. */
  metric: string;
  direction: Direction;
}

export interface GridSearch {
  strategy: 'grid';
  /**
   * Number of trials to run: at most the grid size. Below it the study visits the grid in a
   * permuted order drawn from its seed, for all its trials (see GridSampler).
   */
  trials: number;
}

export interface RandomSearch {
  strategy: 'random';
  trials: number;
}

export interface NarrowingSearch {
  strategy: 'narrowing';
  rounds: number;
  trialsPerRound: number;
  keepTop: number;
  /** Fraction of the top-K span added on each side of the narrowed range. */
  margin: number;
  /** rounds * trialsPerRound. */
  trials: number;
}

/**
 * The Tree-structured Parzen Estimator, as Optuna's `TPESampler` (snake_case in the file). The
 * defaults are Optuna's; see src/samplers/tpe/ for what each one does.
 */
export interface TpeSearch {
  strategy: 'tpe';
  trials: number;
  /** Trials drawn at random until this many are complete or pruned (n_startup_trials). Default 10. */
  startupTrials: number;
  /** Candidates drawn from the good trials' density; the one best by l(x)/g(x) is kept (n_ei_candidates). Default 24. */
  eiCandidates: number;
  /** One joint density over all params (true) or one per param (false). */
  multivariate: boolean;
  /** Running trials count as bad observations at their params, so parallel workers spread out. Default true. */
  constantLiar: boolean;
  /** Weight of the prior kernel against each observation's. Default 1. */
  priorWeight: number;
  /** Floors each bandwidth at range / min(100, 1 + kernels). Default true. */
  considerMagicClip: boolean;
  /** Lets the bounds set the bandwidths of the outermost observations. Default false. */
  considerEndpoints: boolean;
}

export type SearchSettings = GridSearch | RandomSearch | NarrowingSearch | TpeSearch;

export interface SearchSpace {
  study: string;
  seed: number;
  objective: ObjectiveSpec;
  search: SearchSettings;
  params: ParamSpecs;
  /**
   * `search.enqueue`: the params of the trials queued when the study is created, to run first
   * (numbers 0, 1, ...); each may leave params out for the sampler to fill in. Kept here rather
   * than in `search`, since every strategy takes it. `[]` when the file has none.
   */
  enqueue: Params[];
  /** Per-trial early stopping; null: trials train all their steps. */
  earlyStopping: EarlyStoppingSpec | null;
  /** The loss-explosion rule; null: only NaN / infinite metrics count as diverged. */
  divergence: DivergenceSpec | null;
  /** The study's pruner (`{ type: 'none' }` when the file has none). */
  pruner: PrunerSpec;
  /** `save_models`: how many of the best complete trials keep their trained model; null: none. */
  saveModels: SaveModels | null;
  /** `pack`: trials trained together as one computation, where the objective packs them; null or absent (a space stored before it existed): not given, auto. */
  pack?: PackSetting | null;
}

/**
 * How many trials of the same shape one worker trains at once as one batched computation
 * (`pack`, `--pack`): `auto` lets the objective decide (packs on a native backend), `off` never,
 * a number at most that many.
 */
export type PackSetting = 'auto' | 'off' | number;

/** Which trained models a run keeps: those of the best `top` complete trials, or all. */
export interface SaveModels {
  top: number | 'all';
}

/** A parsed space plus where it came from. */
export interface LoadedSpace {
  space: SearchSpace;
  /** Absolute path of the file. */
  file: string;
  /** The document as written (after YAML/JSON parsing), stored with the study. */
  raw: unknown;
}
