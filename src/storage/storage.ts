import type { SamplerState } from '../samplers/sampler.js';
import type { Direction, Metrics, Params } from '../space/types.js';
import type { FinishedState, TrialState } from '../trial-state.js';
import type { TrialAttrs } from './trial-attrs.js';
import type { ModelArtifact } from './model-artifact.js';
import type { ModelRetention, ModelTotals, TrialModelInfo } from './trial-models.js';

export type { ModelRetention, ModelTotals, TrialModelInfo } from './trial-models.js';
export type { KnownTrialAttrs, TrialAttrs, TrialAttrValue } from './trial-attrs.js';

/**
 * The storage contract. Every backend (SQLite now, PostgreSQL later) implements it and
 * passes the same contract tests (test/storage/contract.ts).
 *
 * - All methods are async, so a networked backend fits without changing callers.
 * - Only the main thread of a process writes; worker threads send results to it.
 * - A finished trial (complete, pruned, failed) is immutable: finishing it again rejects
 *   with E_TRIAL_FINISHED, and reporting steps to it rejects too.
 * - Records returned are snapshots: later writes never change an object already returned.
 * - Trial numbers are unique and dense per study (0, 1, 2, ...), allocated atomically by
 *   `claimTrial`, also across processes sharing one database.
 * - Which state may follow which, and what each move clears, is `TRANSITIONS` in
 *   src/trial-state.ts; both SQL backends build their statements from it.
 */
export interface Storage {
  /** Where the data lives (a file path or URL), for messages. */
  readonly location: string;

  /**
   * Rejects with E_STUDY_EXISTS when the name is taken. The study's `enqueue` trials are queued
   * (numbers 0, 1, ...) in the same transaction: nobody sees the study without them, and they are
   * queued exactly once, by the one caller that created it.
   */
  createStudy(study: NewStudy): Promise<StudyRecord>;
  getStudy(name: string): Promise<StudyRecord | null>;
  listStudies(): Promise<StudySummary[]>;

  /**
   * Adds a trial with given params (all of the space's, or some: the sampler fills in the rest
   * when it is claimed); `claimTrial` hands queued trials out first, oldest first. A release
   * gives it back with these params only.
   */
  enqueueTrial(studyId: number, params: Params): Promise<TrialRecord>;

  /**
   * Atomically takes the next trial of the study and marks it `running`, owned by `owner`:
   * the oldest queued trial if there is one (also once the budget is spent), else a new trial
   * with the next number and the next sample index — unless the study already has `maxTrials`
   * trials (any state), in which case it resolves to null.
   */
  claimTrial(studyId: number, options: ClaimOptions): Promise<ClaimedTrial | null>;

  /**
   * Gives a running trial back (e.g. the run stopped while its sampler waited, or before the
   * trial finished): it becomes `queued` again with its number and sample index, its steps (and
   * drawn params, sampler state, owner, claim and clock) are deleted, and the next claim hands it
   * out first, to be sampled afresh. Rejects with E_TRIAL_TAKEN_OVER if the lease's claim is no
   * longer the trial's, E_TRIAL_FINISHED if it already ended, E_USAGE if it is queued.
   */
  releaseTrial(lease: TrialLease): Promise<void>;

  /**
   * Marks every running trial owned by `owner` as alive now; resolves to how many there are.
   * A run beats every few seconds, so other processes can tell its trials from a dead run's;
   * fewer than it holds tells it early that some were taken over.
   */
  heartbeat(owner: string): Promise<number>;

  /**
   * The ids of the given leases whose trial still carries the lease's claim (running, or
   * finished under it): the others were taken over by another run.
   */
  heldTrials(leases: readonly TrialLease[]): Promise<number[]>;

  /** The owners (`host:pid:nonce`) of the study's running trials, each once. */
  runningOwners(studyId: number): Promise<string[]>;

  /**
   * Puts running trials of the study back in the queue, to run again from scratch: those whose
   * owner is in `deadOwners`, and those with no sign of life (heartbeat, else start) for longer
   * than `staleAfterMs`, judged by the storage's own clock (PostgreSQL's server clock, so hosts'
   * clocks never meet). Their steps and claims are deleted; each keeps its number and sample
   * index, so it runs with the same params. Atomic; resolves to the trials it requeued.
   */
  recoverStaleTrials(studyId: number, options: RecoverOptions): Promise<RecoveredTrial[]>;

  /**
   * Puts every running trial owned by `owner` back in the queue, as `releaseTrial` does (steps
   * deleted): for a run that stops before its trials finish. Resolves to how many.
   */
  releaseTrialsOf(owner: string): Promise<number>;

  /**
   * Records what the sampler chose for a claimed trial (params, and its sampler state: JSON, else
   * E_USAGE), and restarts its clock: the trial runs from now on (sampling may have waited for
   * earlier trials, e.g. a narrowing round).
   */
  setTrialParams(lease: TrialLease, update: TrialParamsUpdate): Promise<void>;

  /**
   * Adds params to a running trial: those its objective asked for while it runs (define-by-run),
   * after the ones it has, in the order given; its clock and sampler state stay. A name the trial
   * has already must come with the value it has (a trial's params never change while it runs),
   * else E_USAGE naming both values, and nothing is stored. Rejects as every write of the claim
   * does: E_TRIAL_TAKEN_OVER, E_TRIAL_FINISHED, E_TRIAL_NOT_FOUND, and E_USAGE for a queued trial.
   * A release forgets them, as it forgets the drawn params.
   */
  addTrialParams(lease: TrialLease, params: Params): Promise<void>;

  /** Stores intermediate metrics of a running trial at `step` (replacing that step's values). */
  reportStep(lease: TrialLease, step: number, values: Metrics): Promise<void>;

  /**
   * Ends a running (or queued) trial. Rejects with E_TRIAL_FINISHED if it already ended, and with
   * E_USAGE when an attr hpsearch knows has the wrong type (see trial-attrs.ts).
   */
  finishTrial(lease: TrialLease, result: TrialFinish): Promise<void>;

  /**
   * Adds a trial exactly as given (number, sample index, state, params, value, metrics, attrs,
   * error, times, sampler state, seed, owner, steps), for `hpsearch copy`. Rejects with E_USAGE when the
   * study already has a trial of that number or sample index.
   */
  importTrial(studyId: number, trial: TrialDetail): Promise<void>;

  getTrial(studyId: number, number: number): Promise<TrialDetail | null>;
  listTrials(studyId: number, filter?: TrialFilter): Promise<TrialRecord[]>;
  countTrials(studyId: number): Promise<Record<TrialState, number>>;

  /**
   * The best trials by value in the study's direction (ties: lower number first), among
   * `states` (default: complete only), with their step counts and durations.
   */
  leaderboard(studyId: number, options: LeaderboardOptions): Promise<LeaderboardRow[]>;

  /**
   * Every trial's value of metric `name` at exactly `step` (any state), by trial number: what a
   * pruner compares a running trial against. NaN values come back as NaN.
   */
  stepValues(studyId: number, name: string, step: number): Promise<StepValue[]>;

  /**
   * A measurement kept in the database for every host and run that uses it (e.g. which TF.js
   * backend trains a model shape fastest), by key; null when nothing was measured under it.
   */
  getMeasurement(key: string): Promise<Measurement | null>;

  /** Keeps `value` (JSON, else E_USAGE) under `key`, replacing what was there. */
  putMeasurement(key: string, value: unknown): Promise<void>;

  /**
   * Keeps the trained model of a complete trial (replacing one it had) and, in the same
   * transaction, deletes the models of the study's trials that are no longer among its best
   * `keep.top` complete trials by value in `keep.direction` (ties: lower number first; no value
   * last), maybe this one's. Serial across processes and hosts (SQLite's write lock; PostgreSQL's
   * lock of the study row), so two runs finishing at once never leave more than `top` models.
   * Resolves to whether this trial's model is kept. Rejects with E_USAGE for a trial that is not
   * complete, E_TRIAL_TAKEN_OVER when the lease's claim is no longer the trial's.
   */
  keepTrialModel(lease: TrialLease, model: ModelArtifact, keep: ModelRetention): Promise<boolean>;

  /** The model the trial kept, or null (none kept, or no such trial). */
  getTrialModel(studyId: number, number: number): Promise<ModelArtifact | null>;

  /** The study's kept models without their bytes (sizes, steps), by trial number. */
  listTrialModels(studyId: number): Promise<TrialModelInfo[]>;

  /**
   * Adds a model to a trial exactly as given, without retention, for `hpsearch copy`. Rejects with
   * E_TRIAL_NOT_FOUND when the study has no trial of that number.
   */
  importTrialModel(studyId: number, number: number, model: ModelArtifact, savedAt: number): Promise<void>;

  close(): Promise<void>;
}

export interface Measurement {
  value: unknown;
  /** When it was measured, ms since the epoch. */
  measuredAt: number;
}

export interface NewStudy {
  name: string;
  direction: Direction;
  metric: string;
  seed: number;
  /** The search-space document as given (parsed YAML/JSON), stored for resume and `narrow`. */
  space: unknown;
  /** Absolute path of the space file it came from, if any. */
  spaceFile?: string | null;
  /** When it was created, ms since the epoch (default: now; `hpsearch copy` keeps the original's). */
  createdAt?: number;
  /** Params of trials to queue with the study, in order (a space file's `search.enqueue`). */
  enqueue?: readonly Params[];
}

export interface StudyRecord {
  id: number;
  name: string;
  direction: Direction;
  metric: string;
  seed: number;
  space: unknown;
  spaceFile: string | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface StudySummary extends StudyRecord {
  counts: Record<TrialState, number>;
  /** Best complete value in the study's direction, or null. */
  best: number | null;
  /** The trained models it keeps (`run --save-models`): how many, and their size in bytes. */
  models: ModelTotals;
}

export interface ClaimOptions {
  maxTrials: number;
  /** Who runs it, `host:pid:nonce` (see processOwner). */
  owner: string;
}

/**
 * A trial as a write names it: its id and the token of the claim the writer holds. Writes to a
 * trial (params, steps, finish, release) change it only while its claim is that one, and reject
 * with E_TRIAL_TAKEN_OVER once another run has taken it over; `token: null` names no claim, for a
 * trial nobody holds (a queued one, e.g. finished by hand).
 */
export interface TrialLease {
  readonly id: number;
  readonly token: string | null;
}

export interface ClaimedTrial {
  id: number;
  /** This claim's random id, stored with the trial: every write of the claiming run names it. */
  token: string;
  number: number;
  /**
   * The params an enqueued trial was given (maybe only some of the space's); null for a trial
   * the sampler fills in (a new one, or one released before it ran).
   */
  params: Params | null;
  /**
   * 0-based index among the trials the sampler draws (grid point, random draw);
   * null for an enqueued trial, whose params were given.
   */
  sampleIndex: number | null;
}

export interface RecoverOptions {
  /** Running trials with no heartbeat (or start) for longer than this, by the storage's clock, are stale. */
  staleAfterMs: number;
  /** Owners known to be dead (e.g. a pid of this host that no longer exists): stale at once. */
  deadOwners?: readonly string[];
  /** Owners known to be alive (e.g. this process): never stale, however long since they beat. */
  liveOwners?: readonly string[];
}

export interface RecoveredTrial {
  number: number;
  owner: string | null;
  /** Why: the owner is dead, or it stopped beating. */
  reason: 'dead-owner' | 'no-heartbeat';
}

export interface TrialParamsUpdate {
  params: Params;
  /** What the sampler records with the trial (JSON); left out, the stored one is kept. */
  samplerState?: SamplerState;
  seed?: number | null;
}

export interface TrialFinish {
  state: FinishedState;
  /** The objective's value; NaN is stored as null (no value), ±Infinity as is. */
  value?: number | null;
  /** Final metrics returned by the objective. */
  metrics?: Metrics | null;
  /** Facts about how the trial ran, e.g. `{ backend: 'wasm' }`; known keys must have their types. */
  attrs?: TrialAttrs | null;
  /** Why it failed or was pruned. */
  error?: string | null;
}

export interface TrialRecord {
  id: number;
  studyId: number;
  number: number;
  state: TrialState;
  params: Params;
  value: number | null;
  metrics: Metrics | null;
  attrs: TrialAttrs | null;
  error: string | null;
  /** Milliseconds since the epoch. */
  startedAt: number | null;
  endedAt: number | null;
  /** What the sampler recorded when it drew the trial (e.g. narrowing's round); `{}` if nothing. */
  samplerState: SamplerState;
  seed: number | null;
  owner: string | null;
  sampleIndex: number | null;
}

export interface StepValue {
  number: number;
  state: TrialState;
  value: number;
}

export interface StepRecord {
  step: number;
  values: Metrics;
}

export interface TrialDetail extends TrialRecord {
  steps: StepRecord[];
}

export interface TrialFilter {
  states?: readonly TrialState[];
  /**
   * Only trials numbered above `above`, and those of `among`: what a reader that keeps the
   * finished trials it has seen (they never change) still needs to read.
   */
  numbers?: { readonly above: number; readonly among: readonly number[] };
  /** Only trials whose sampler state has these keys with these (scalar) values, e.g. `{ round: 1 }`. */
  samplerState?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface LeaderboardOptions {
  top: number;
  direction: Direction;
  states?: readonly TrialState[];
}

export interface LeaderboardRow {
  rank: number;
  number: number;
  state: TrialState;
  value: number | null;
  params: Params;
  /** Number of reported steps. */
  steps: number;
  durationMs: number | null;
  samplerState: SamplerState;
  error: string | null;
  attrs: TrialAttrs | null;
}
