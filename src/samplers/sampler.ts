import type { Params, ParamSpec, ParamValue, SearchSpace } from '../space/types.js';
import type { TrialState } from '../trial-state.js';

/**
 * A sampler turns a sample index into parameters. Grid and random search are pure functions
 * of (space, seed, index), which is what makes them deterministic and duplicate-free across
 * workers and processes: the storage hands out each index exactly once.
 * Samplers that learn from history (narrowing, TPE) read finished trials through `history`.
 */
export interface Sampler {
  readonly name: string;
  /** The most trials this sampler can produce (the grid size), or Infinity. */
  readonly capacity: number;
  sample(context: SampleContext): Promise<Sample>;
  /**
   * Define-by-run: the value of one param the objective asks for while it runs (a param the
   * space does not declare), from the distribution it asked with. Rejects with E_USAGE when the
   * sampler cannot draw params it was not told of in advance (grid search).
   */
  suggest(context: SuggestContext): Promise<ParamValue>;
}

/** What a sampler is told when an objective asks for a param (see `Sampler.suggest`). */
export interface SuggestContext {
  /** The trial's sample index (its number when it was enqueued): the same as `SampleContext.index` of its draw. */
  index: number;
  /** The trial's number. */
  number: number;
  /** Whether the trial was enqueued (its draws come from streams of their own, as `sample`'s fill). */
  enqueued: boolean;
  /** The param asked for, and its distribution as the objective asked for it. */
  name: string;
  spec: ParamSpec;
  /** The trial's params so far: the space's draw and the params asked before this one. */
  params: Params;
  /** The study's trials (a fresh snapshot per call). */
  history(): Promise<readonly PastTrial[]>;
}

export interface SampleContext {
  /** 0-based index of this draw among the study's sampled trials. */
  index: number;
  /** The number of the trial being sampled: a sampler that reads running trials leaves it out. */
  number?: number;
  /** The study's trials (a fresh snapshot per call), for samplers that learn from history. */
  history(): Promise<readonly PastTrial[]>;
  /** Aborted when the run stops: a sampler waiting for earlier trials must give up then. */
  signal?: AbortSignal;
  /**
   * Set for an enqueued trial that gives only some params: those it gives, which replace the
   * sampler's for those names (so the sampler only fills in the rest). `index` is then the
   * trial's number, which a sampled draw may have too: a sampler that draws by index takes such
   * a fill from a stream of its own, and records no state that would count it as one of its draws.
   */
  enqueued?: Params;
}

/** A value JSON can hold exactly (numbers finite: JSON has no NaN or Infinity). */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Facts a sampler records with a trial and reads back from the history, e.g. narrowing's
 * `{ round: 2 }`; the storage keeps them as JSON without looking inside. Each sampler owns its
 * keys and reads them itself (see `narrowingRound`).
 */
export type SamplerState = Readonly<Record<string, JsonValue>>;

/**
 * What a sampler sees of a past trial. Declared here, not taken from storage, so samplers stay
 * below storage in the layers; the storage's trial records have these fields and more.
 */
export interface PastTrial {
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  /** The objective's value; null when there is none (failed, NaN). */
  readonly value: number | null;
  /** What the sampler recorded when it drew the trial (or filled in an enqueued one); `{}` for a trial enqueued whole. */
  readonly samplerState: SamplerState;
  /** `stopped_at`: the step at which pruning (or early stopping) ended the trial, its last step. */
  readonly attrs?: { readonly stopped_at?: number | undefined } | null;
}

export interface Sample {
  params: Params;
  /** Stored with the trial, for the sampler to read back from the history. Default `{}`. */
  samplerState?: SamplerState;
}

export type SamplerFactory = (space: SearchSpace) => Sampler;

/**
 * A short label for what a sampler recorded with a trial, as leaderboards and reports show it
 * (`round 2`, `startup`); null when there is nothing to say (grid, random, a trial enqueued by hand).
 */
export type SamplerStateLabel = (state: SamplerState) => string | null;

/** The label of a sampler that records nothing worth showing (grid, random). */
export const NO_SAMPLER_LABEL: SamplerStateLabel = () => null;

/** What the sampler registry holds per strategy. */
export interface SamplerEntry {
  create: SamplerFactory;
  describe: SamplerStateLabel;
}
