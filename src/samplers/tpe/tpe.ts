import { HpsearchError } from '../../errors.js';
import { rngFor } from '../../random/rng.js';
import { snapToStep } from '../../space/distributions.js';
import type { ParamSpec, Params, ParamValue, SearchSpace, TpeSearch } from '../../space/types.js';
import { checkIndex, sampleParams } from '../random.js';
import type { PastTrial, Sample, SampleContext, Sampler, SamplerState } from '../sampler.js';
import { ParzenEstimator, type ParzenSettings, type TpeDimension } from './parzen-estimator.js';
import { observationWeights, splitTrials } from './split.js';

/** What a TPE trial records: whether it was one of the random startup draws or modelled. */
export type TpePhase = 'startup' | 'tpe';

/** The phase a trial was drawn in, from its sampler state `{ phase }`; null for one TPE did not draw. */
export function tpePhase(trial: { readonly samplerState?: SamplerState | undefined }): TpePhase | null {
  const phase = trial.samplerState?.['phase'];
  return phase === 'startup' || phase === 'tpe' ? phase : null;
}

/** The label leaderboards and reports show for a TPE trial: its phase, `startup` or `tpe`. */
export function describeTpeState(state: SamplerState): string | null {
  return tpePhase({ samplerState: state });
}

/**
 * The Tree-structured Parzen Estimator (Bergstra et al. 2011), following Optuna's `TPESampler`.
 *
 * Until `startupTrials` trials are complete or pruned, draw i is random search's draw i (the same
 * stream, so TPE and random studies of one seed start alike). After that, the complete and pruned
 * trials are split into a good group (the best γ(n)) and a bad one, with running trials joining
 * the bad one (constant liar); a Parzen estimator is fitted to each, `eiCandidates` points are
 * drawn from the good density l(x), and the one with the largest log l(x) − log g(x) is kept.
 * Univariate TPE does this per param; multivariate once over all params, with joint kernels.
 *
 * Draw i is a pure function of (seed, i, the history it reads), so with one worker the same seed
 * gives the same trials. The history is read once per draw, in one query.
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly capacity = Infinity;
  readonly #space: SearchSpace;
  readonly #search: TpeSearch;
  readonly #dimensions: TpeDimension[];
  readonly #settings: ParzenSettings;

  constructor(space: SearchSpace) {
    if (space.search.strategy !== 'tpe') {
      throw new HpsearchError('E_VALIDATION', `study "${space.study}" uses ${space.search.strategy} search, not tpe`);
    }
    this.#space = space;
    this.#search = space.search;
    this.#dimensions = Object.entries(space.params).flatMap(([name, spec]) => dimensionOf(name, spec));
    this.#settings = {
      priorWeight: this.#search.priorWeight,
      considerMagicClip: this.#search.considerMagicClip,
      considerEndpoints: this.#search.considerEndpoints,
    };
  }

  async sample({ index, number, history }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    const trials = await history();
    const observed = trials.filter((t) => t.number !== number && (t.state === 'complete' || t.state === 'pruned')).length;
    if (observed < this.#search.startupTrials || this.#dimensions.length === 0) {
      return { params: sampleParams(rngFor(this.#space.seed, 'random', index), this.#space.params), samplerState: { phase: 'startup' } };
    }
    const { below, above } = splitTrials(trials, this.#space.objective.direction, { liar: this.#search.constantLiar, exclude: number });
    const rng = rngFor(this.#space.seed, 'tpe', index);
    const chosen = new Map<string, ParamValue>();
    const groups = this.#search.multivariate ? [this.#dimensions] : this.#dimensions.map((dimension) => [dimension]);
    for (const group of groups) {
      const good = this.#estimator(group, below);
      const bad = this.#estimator(group, above);
      const candidates = good.sample(rng, this.#search.eiCandidates);
      const scoreGood = good.logPdf(candidates);
      const scoreBad = bad.logPdf(candidates);
      let best = 0;
      for (let s = 1; s < scoreGood.length; s++) if (scoreGood[s] - scoreBad[s] > scoreGood[best] - scoreBad[best]) best = s;
      group.forEach((dimension, d) => chosen.set(dimension.name, externalValue(this.#space.params[dimension.name], candidates[d][best])));
    }
    const params: Params = {};
    for (const [name, spec] of Object.entries(this.#space.params)) params[name] = chosen.get(name) ?? (spec.type === 'fixed' ? spec.value : fixedNumeric(spec));
    return { params, samplerState: { phase: 'tpe' } };
  }

  /** The estimator of the trials that have a usable value for every param of the group. */
  #estimator(group: readonly TpeDimension[], trials: readonly PastTrial[]): ParzenEstimator {
    const rows: number[][] = [];
    for (const trial of trials) {
      const row = group.map((dimension) => internalValue(dimension, this.#space.params[dimension.name], trial.params[dimension.name]));
      if (row.every((value): value is number => value !== null)) rows.push(row);
    }
    const observations = group.map((_, d) => Float64Array.from(rows, (row) => row[d]));
    return new ParzenEstimator(group, observations, observationWeights(rows.length), this.#settings);
  }
}

/** How TPE models a param; none for a fixed one, or a range of one point. */
function dimensionOf(name: string, spec: ParamSpec): TpeDimension[] {
  switch (spec.type) {
    case 'fixed':
      return [];
    case 'categorical':
      return spec.choices.length > 1 ? [{ kind: 'categorical', name, choices: spec.choices.length }] : [];
    case 'float':
    case 'int':
      if (spec.low === spec.high) return [];
      return [{ kind: 'numeric', name, low: spec.low, high: spec.high, log: spec.log, step: spec.step ?? 0, int: spec.type === 'int' }];
  }
}

/** A single-valued numeric or categorical param's one value. */
function fixedNumeric(spec: ParamSpec): ParamValue {
  if (spec.type === 'categorical') return spec.choices[0];
  if (spec.type === 'fixed') return spec.value;
  return spec.low;
}

/** A past value in the model's terms (the choice's index for a categorical); null when it is not in the space now. */
function internalValue(dimension: TpeDimension, spec: ParamSpec, value: ParamValue | undefined): number | null {
  if (value === undefined) return null;
  if (dimension.kind === 'categorical') {
    const at = spec.type === 'categorical' ? spec.choices.indexOf(value) : -1;
    return at >= 0 ? at : null;
  }
  return typeof value === 'number' && value >= dimension.low && value <= dimension.high ? value : null;
}

function externalValue(spec: ParamSpec, value: number): ParamValue {
  switch (spec.type) {
    case 'categorical':
      return spec.choices[value];
    case 'int':
      return Math.round(value);
    case 'float':
      return spec.step !== undefined ? snapToStep(value, spec.low, spec.high, spec.step) : value;
    case 'fixed':
      return spec.value;
  }
}
