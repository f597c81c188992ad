import { hostname } from 'node:os';
import { HpsearchError } from '../errors.js';
import { trialSeed } from '../random/rng.js';
import type { Sampler, SamplerState } from '../samplers/sampler.js';
import type { Direction, SearchSpace } from '../space/types.js';
import type { LeaderboardRow, Storage, StudyRecord, TrialDetail, TrialFilter, TrialRecord } from '../storage/storage.js';
import type { TrialState } from '../trial-state.js';
import { toTrialFinish, type AskedTrial, type TellResult } from './trial.js';
import type { ObjectiveSource, OptimizeOptions, OptimizeSummary } from './optimize-options.js';

/** The owner name this process's trials carry, `host:pid`: how other runs tell whether it is alive. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/** What runs `study.optimize()`: the engine's loop, which registers itself as it loads. */
export type RunLoop = (study: Study, objective: ObjectiveSource, options: OptimizeOptions) => Promise<OptimizeSummary>;

let runLoop: RunLoop | undefined;

export function registerRunLoop(loop: RunLoop): void {
  runLoop = loop;
}

export interface AskOptions {
  /** Trials the study may hold in all (any state); `ask` resolves to null once it holds that many. */
  maxTrials?: number;
  /** Aborts a sampler that waits for earlier trials (narrowing rounds). */
  signal?: AbortSignal;
}

/**
 * A study: a named search stored in a database. `ask` / `tell` are the core; `optimize` is a
 * loop over them that runs trials in worker threads (module objectives) or on this thread
 * (function objectives).
 */
export class Study {
  readonly #storage: Storage;
  readonly #record: StudyRecord;
  readonly #space: SearchSpace;
  readonly #sampler: Sampler;
  readonly #ownsStorage: boolean;
  /** Who runs this study's trials from this process: `host:pid` (see processOwner). */
  readonly owner = processOwner();

  constructor(storage: Storage, record: StudyRecord, space: SearchSpace, sampler: Sampler, ownsStorage: boolean) {
    this.#storage = storage;
    this.#record = record;
    this.#space = space;
    this.#sampler = sampler;
    this.#ownsStorage = ownsStorage;
  }

  get id(): number {
    return this.#record.id;
  }
  get name(): string {
    return this.#record.name;
  }
  get direction(): Direction {
    return this.#record.direction;
  }
  get metric(): string {
    return this.#record.metric;
  }
  get seed(): number {
    return this.#record.seed;
  }
  get space(): SearchSpace {
    return this.#space;
  }
  get storage(): Storage {
    return this.#storage;
  }
  get sampler(): Sampler {
    return this.#sampler;
  }

  /** Claims the next trial (queued ones first) and fills in its params; null when the budget is spent. */
  async ask(options: AskOptions = {}): Promise<AskedTrial | null> {
    const maxTrials = Math.min(options.maxTrials ?? Number.MAX_SAFE_INTEGER, this.#sampler.capacity);
    const claimed = await this.#storage.claimTrial(this.id, { maxTrials, owner: this.owner });
    if (!claimed) return null;
    const seed = trialSeed(this.seed, claimed.number);
    let params = claimed.params;
    let samplerState: SamplerState = {};
    if (params === null) {
      try {
        const sample = await this.#sampler.sample({
          index: claimed.sampleIndex ?? claimed.number,
          history: () => this.#storage.listTrials(this.id),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        params = sample.params;
        samplerState = sample.samplerState ?? {};
      } catch (error) {
        // It never ran: give it back, so a later run samples it (same index, same params) first.
        await this.#storage.releaseTrial(claimed.id);
        throw error;
      }
    }
    await this.#storage.setTrialParams(claimed.id, { params, samplerState, seed });
    const storage = this.#storage;
    return {
      id: claimed.id,
      number: claimed.number,
      params,
      seed,
      samplerState,
      report: (step, metrics) => storage.reportStep(claimed.id, step, metrics),
    };
  }

  /** Ends an asked trial with its value, `{ value, metrics }`, or an explicit `{ state, error }`. */
  async tell(trial: AskedTrial | number, result: TellResult): Promise<void> {
    const id = typeof trial === 'number' ? (await this.#trialByNumber(trial)).id : trial.id;
    await this.#storage.finishTrial(id, toTrialFinish(result));
  }

  /**
   * Runs trials until the study holds `trials` of them (default: the space's budget): a function
   * objective on this thread, a module path or `{ task }` in worker threads.
   */
  optimize(objective: ObjectiveSource, options: OptimizeOptions = {}): Promise<OptimizeSummary> {
    if (runLoop === undefined) {
      throw new HpsearchError('E_INTERNAL', "study.optimize needs the run loop: import hpsearch's entry point (src/index.ts) or src/engine/optimize.ts first");
    }
    return runLoop(this, objective, options);
  }

  leaderboard(options: { top?: number; states?: readonly TrialState[] } = {}): Promise<LeaderboardRow[]> {
    return this.#storage.leaderboard(this.id, {
      top: options.top ?? 10,
      direction: this.direction,
      ...(options.states ? { states: options.states } : {}),
    });
  }

  trials(filter: TrialFilter = {}): Promise<TrialRecord[]> {
    return this.#storage.listTrials(this.id, filter);
  }

  trial(number: number): Promise<TrialDetail | null> {
    return this.#storage.getTrial(this.id, number);
  }

  counts(): Promise<Record<TrialState, number>> {
    return this.#storage.countTrials(this.id);
  }

  /** Closes the storage if the study opened it. */
  async close(): Promise<void> {
    if (this.#ownsStorage) await this.#storage.close();
  }

  async #trialByNumber(number: number): Promise<TrialDetail> {
    const found = await this.#storage.getTrial(this.id, number);
    if (!found) throw new HpsearchError('E_TRIAL_NOT_FOUND', `study "${this.name}" has no trial ${number}`);
    return found;
  }
}
