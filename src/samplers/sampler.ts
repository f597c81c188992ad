import type { Params, SearchSpace } from '../space/types.js';
import type { TrialRecord } from '../storage/storage.js';

/**
 * A sampler turns a sample index into parameters. Grid and random search are pure functions
 * of (space, seed, index), which is what makes them deterministic and duplicate-free across
 * workers and processes: the storage hands out each index exactly once.
 * Samplers that learn from history (narrowing, later TPE) read finished trials through `history`.
 */
export interface Sampler {
  readonly name: string;
  /** The most trials this sampler can produce (the grid size), or Infinity. */
  readonly capacity: number;
  sample(context: SampleContext): Promise<Sample>;
}

export interface SampleContext {
  /** 0-based index of this draw among the study's sampled trials. */
  index: number;
  /** The study's trials (a fresh snapshot per call), for samplers that learn from history. */
  history(): Promise<TrialRecord[]>;
  /** Aborted when the run stops: a sampler waiting for earlier trials must give up then. */
  signal?: AbortSignal;
}

export interface Sample {
  params: Params;
  /** Narrowing round the trial belongs to. */
  round?: number;
}

export type SamplerFactory = (space: SearchSpace) => Sampler;
