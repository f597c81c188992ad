import { HpsearchError } from '../../errors.js';
import { rngFor, type Rng } from '../../random/rng.js';
import { snapToStep } from '../../space/distributions.js';
import type { ParamSpec, Params, ParamValue, SearchSpace, TpeSearch } from '../../space/types.js';
import { activationKey, conditionsHold, decisionOrder } from '../../space/conditions.js';
import { sampleParam } from '../../space/distributions.js';
import { checkIndex, sampleParams } from '../random.js';
import type { PastTrial, Sample, SampleContext, Sampler, SamplerState, SuggestContext } from '../sampler.js';
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
 * Univariate TPE does this per param; multivariate once per group of params, with joint kernels.
 *
 * Conditional params (`when:`) are decided parents first, and only active ones are drawn. Each
 * param's density is fitted on the good (or bad) trials where it was active, as Optuna does; a
 * multivariate group is the params that exist under the same chain of conditions (all of an
 * unconditional space's params are one group), fitted on the trials that have the whole group.
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
  /** Each modelled param's group: itself alone (univariate), or the params active together with it (multivariate). */
  readonly #groupOf = new Map<string, readonly TpeDimension[]>();
  /** Params that others' conditions name: moving one would change which params exist. */
  readonly #parents: ReadonlySet<string>;
  /** Finished trials' values in the model's terms, by record (see #internalRow). */
  readonly #rows = new WeakMap<PastTrial, Float64Array>();

  constructor(space: SearchSpace) {
    if (space.search.strategy !== 'tpe') {
      throw new HpsearchError('E_VALIDATION', `study "${space.study}" uses ${space.search.strategy} search, not tpe`);
    }
    this.#space = space;
    this.#search = space.search;
    this.#dimensions = Object.entries(space.params).flatMap(([name, spec]) => dimensionOf(name, spec));
    // Univariate: one group per param. Multivariate: one per set of params that are always active
    // together (the same chain of conditions), each fitted on the trials where it was active.
    const groups = new Map<string, TpeDimension[]>();
    for (const dimension of this.#dimensions) {
      const key = this.#search.multivariate ? activationKey(space.params, dimension.name) : dimension.name;
      const group = groups.get(key) ?? [];
      group.push(dimension);
      groups.set(key, group);
    }
    for (const group of groups.values()) for (const dimension of group) this.#groupOf.set(dimension.name, group);
    this.#parents = new Set(Object.values(space.params).flatMap((spec) => Object.keys(spec.when ?? {})));
    this.#settings = {
      priorWeight: this.#search.priorWeight,
      considerMagicClip: this.#search.considerMagicClip,
      considerEndpoints: this.#search.considerEndpoints,
    };
  }

  async sample({ index, number, history, enqueued }: SampleContext): Promise<Sample> {
    checkIndex(index, this.capacity);
    const trials = await history();
    const startup = this.#observed(trials, number) < this.#search.startupTrials;
    if (startup || this.#dimensions.length === 0) {
      // An enqueued trial's fill (index = its number, which a draw may have too) has a stream of its own.
      const stream = enqueued ? 'random-enqueued' : 'random';
      // Nothing to model (fixed params only, or none: the objective asks for its own, which
      // `suggest` models past the startup): the phase still says which trials are modelled.
      return { params: sampleParams(this.#space.seed, stream, index, this.#space.params, enqueued), samplerState: { phase: startup ? 'startup' : 'tpe' } };
    }
    const { below, above } = splitTrials(trials, this.#space.objective.direction, { liar: this.#search.constantLiar, exclude: number });
    const rng = rngFor(this.#space.seed, enqueued ? 'tpe-enqueued' : 'tpe', index);
    const good = this.#columns(below);
    const bad = this.#columns(above);
    const specs = this.#space.params;
    // Params are decided parents first; a group is ranked when its first active param is reached,
    // so an inactive group draws nothing (and takes nothing from the stream).
    const decided: Params = {};
    const ranked: RankedCandidates[] = [];
    const rankedOf = new Map<readonly TpeDimension[], RankedCandidates>();
    for (const name of decisionOrder(specs)) {
      const spec = specs[name];
      if (!conditionsHold(spec, decided)) continue;
      if (enqueued !== undefined && Object.hasOwn(enqueued, name)) {
        decided[name] = enqueued[name];
        continue;
      }
      const group = this.#groupOf.get(name);
      if (group === undefined) {
        decided[name] = fixedNumeric(spec);
        continue;
      }
      let candidates = rankedOf.get(group);
      if (candidates === undefined) {
        candidates = this.#rankCandidates(group, good, bad, rng);
        rankedOf.set(group, candidates);
        ranked.push(candidates);
      }
      decided[name] = this.#external(group, candidates, name, 0);
    }
    const running = this.#search.constantLiar ? trials.filter((t) => t.state === 'running' && t.number !== number) : [];
    const picks = avoidRunning(ranked, running, (dimension, value) => externalValue(specs[dimension.name], value), this.#parents);
    ranked.forEach((candidates, g) => {
      if (picks[g] === 0) return;
      for (const dimension of candidates.group) if (Object.hasOwn(decided, dimension.name)) decided[dimension.name] = this.#external(candidates.group, candidates, dimension.name, picks[g]);
    });
    const params: Params = {};
    for (const name of Object.keys(specs)) if (Object.hasOwn(decided, name)) params[name] = decided[name];
    return { params, samplerState: { phase: 'tpe' } };
  }

  /**
   * Define-by-run: a param the space does not declare, modelled on its own (as Optuna's
   * independent sampling) over the trials that have it, with the distribution asked for now;
   * values of other trials outside it take no part. Random (the same stream as random search's)
   * until the startup trials are done.
   */
  async suggest({ index, number, enqueued, name, spec, history }: SuggestContext): Promise<ParamValue> {
    const trials = await history();
    const dimension = dimensionOf(name, spec)[0];
    if (dimension === undefined) return fixedNumeric(spec);
    if (this.#observed(trials, number) < this.#search.startupTrials) {
      return sampleParam(rngFor(this.#space.seed, enqueued ? 'random-enqueued' : 'random', index, name), spec);
    }
    const { below, above } = splitTrials(trials, this.#space.objective.direction, { liar: this.#search.constantLiar, exclude: number });
    const column = (group: readonly PastTrial[]): Columns => new Map([[name, Float64Array.from(group, (trial) => internalValue(dimension, spec, trial.params[name]) ?? NaN)]]);
    const rng = rngFor(this.#space.seed, enqueued ? 'tpe-enqueued' : 'tpe', index, name);
    const candidates = this.#rankCandidates([dimension], column(below), column(above), rng);
    return externalValue(spec, candidates.values[0][candidates.order[0]]);
  }

  /** Complete and pruned trials other than the one being sampled: what ends the startup. */
  #observed(trials: readonly PastTrial[], number: number | undefined): number {
    return trials.filter((t) => t.number !== number && (t.state === 'complete' || t.state === 'pruned')).length;
  }

  /** The value of `name` at a candidate position of its group, as the trial stores it. */
  #external(group: readonly TpeDimension[], candidates: RankedCandidates, name: string, position: number): ParamValue {
    const d = group.findIndex((dimension) => dimension.name === name);
    return externalValue(this.#space.params[name], candidates.values[d][candidates.order[position]]);
  }

  /** The group's candidates drawn from l(x), best first by log l(x) − log g(x). */
  #rankCandidates(group: readonly TpeDimension[], below: Columns, above: Columns, rng: Rng): RankedCandidates {
    const good = this.#estimator(group, below);
    const bad = this.#estimator(group, above);
    const values = good.sample(rng, this.#search.eiCandidates);
    const scoreGood = good.logPdf(values);
    const scoreBad = bad.logPdf(values);
    const scores = scoreGood.map((l, s) => l - scoreBad[s]);
    // Stable: among equal scores the earlier draw wins, as numpy's argmax takes the first.
    const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
    return { group, values, scores, order };
  }

  /** Every param's values over the trials, in the model's terms; NaN where a trial has no usable value. */
  #columns(trials: readonly PastTrial[]): Columns {
    const columns: Columns = new Map();
    const rows = trials.map((trial) => this.#internalRow(trial));
    this.#dimensions.forEach((dimension, d) => {
      const column = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) column[i] = rows[i][d];
      columns.set(dimension.name, column);
    });
    return columns;
  }

  /**
   * One trial's values in the model's terms, by dimension. A finished trial's are kept: the study's
   * history hands out the same record for it on every draw (finished trials never change), so each
   * is translated once, not once per draw.
   */
  #internalRow(trial: PastTrial): Float64Array {
    const known = this.#rows.get(trial);
    if (known !== undefined) return known;
    const row = Float64Array.from(this.#dimensions, (dimension) => internalValue(dimension, this.#space.params[dimension.name], trial.params[dimension.name]) ?? NaN);
    if (trial.state === 'complete' || trial.state === 'pruned' || trial.state === 'failed') this.#rows.set(trial, row);
    return row;
  }

  /** The estimator of the trials that have a usable value for every param of the group. */
  #estimator(group: readonly TpeDimension[], columns: Columns): ParzenEstimator {
    const all = group.map((dimension) => columns.get(dimension.name)!);
    let observations = all;
    if (all.some((column) => column.some(Number.isNaN))) {
      const keep = Array.from(all[0].keys()).filter((i) => all.every((column) => !Number.isNaN(column[i])));
      observations = all.map((column) => Float64Array.from(keep, (i) => column[i]));
    }
    return new ParzenEstimator(group, observations, observationWeights(observations[0].length), this.#settings);
  }
}

/** Per param name, one value per trial (see #columns). */
type Columns = Map<string, Float64Array>;

interface RankedCandidates {
  readonly group: readonly TpeDimension[];
  /** Per dimension of the group, one internal value per candidate. */
  readonly values: Float64Array[];
  readonly scores: Float64Array;
  /** Candidate indices, best score first. */
  readonly order: number[];
}

/**
 * Which candidate of each group to take (a position in its `order`): the best ones, unless
 * together they name exactly the params of a running trial (the groups drawn in this trial; a
 * param the running trial lacks counts as null). Then the group whose next
 * different candidate costs the least score moves to it, until the point is new or no group has
 * another. Constant liar makes a running point unlikely; in a small discrete space (a few ints or
 * choices) it still happens, and two workers training the same point waste one of them. This
 * goes beyond Optuna, which would run the duplicate.
 */
function avoidRunning(
  ranked: readonly RankedCandidates[],
  running: readonly PastTrial[],
  external: (dimension: TpeDimension, value: number) => ParamValue,
  parents: ReadonlySet<string>,
): number[] {
  const picks = ranked.map(() => 0);
  if (running.length === 0) return picks;
  // A group holding a parent stays at its best: another value would change which params exist.
  const movable = ranked.map((r) => r.group.every((dimension) => !parents.has(dimension.name)));
  /** The group's params at a position, as the trial would store them. */
  const point = (g: number, position: number) =>
    JSON.stringify(ranked[g].group.map((dimension, d) => external(dimension, ranked[g].values[d][ranked[g].order[position]])));
  const taken = new Set(running.map((trial) => ranked.map((r) => JSON.stringify(r.group.map((dimension) => trial.params[dimension.name] ?? null))).join('|')));
  for (;;) {
    if (!taken.has(ranked.map((_, g) => point(g, picks[g])).join('|'))) return picks;
    let move: { g: number; position: number; cost: number } | null = null;
    for (let g = 0; g < ranked.length; g++) {
      if (!movable[g]) continue;
      const { scores, order } = ranked[g];
      const current = point(g, picks[g]);
      for (let position = picks[g] + 1; position < order.length; position++) {
        if (point(g, position) === current) continue;
        const cost = scores[order[picks[g]]] - scores[order[position]];
        if (move === null || cost < move.cost) move = { g, position, cost };
        break;
      }
    }
    if (move === null) return picks;
    picks[move.g] = move.position;
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
