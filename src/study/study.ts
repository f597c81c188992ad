import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { HpsearchError } from '../errors.js';
import { trialSeed } from '../random/rng.js';
import type { Sample, Sampler, SamplerState } from '../samplers/sampler.js';
import { askedSpec, singleValue, type AskedSpec } from '../space/asked-spec.js';
import { activeNames, activeParams } from '../space/conditions.js';
import { enqueuedParams } from '../space/enqueue.js';
import type { Direction, Params, ParamValue, SaveModels, SearchSpace } from '../space/types.js';
import type { ModelArtifact } from '../storage/model-artifact.js';
import type { LeaderboardRow, Storage, StudyRecord, TrialDetail, TrialFilter, TrialLease, TrialRecord } from '../storage/storage.js';
import type { TrialState } from '../trial-state.js';
import { knownValue, type RunningTrial } from './define-by-run.js';
import { TrialHistory } from './history.js';
import { toTrialFinish, type AskedTrial, type TellResult } from './trial.js';
import type { ObjectiveSource, OptimizeOptions, OptimizeSummary } from './optimize-options.js';

/**
 * This process's own random part of its owner name: a later process that is given the same pid
 * (pids are reused) is another owner, and so is a process in a container that shares the host name.
 */
const NONCE = randomBytes(6).toString('hex');

/**
 * The owner name this process's trials carry, `host:pid:nonce`: on this host a gone pid tells at
 * once that the run died; anywhere else, and for a live pid, only its heartbeats tell.
 */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${NONCE}`;
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
  /** Who runs this study's trials from this process: `host:pid:nonce` (see processOwner). */
  readonly owner = processOwner();
  /**
   * The trials this object asked for and has not told yet, by trial number: what `tell(number)`
   * names, with what define-by-run keeps of each (see `suggest`).
   */
  readonly #asked = new Map<number, RunningTrial>();
  /** What samplers read before each draw, kept between draws (see TrialHistory). */
  readonly #history: TrialHistory;

  constructor(storage: Storage, record: StudyRecord, space: SearchSpace, sampler: Sampler, ownsStorage: boolean) {
    this.#storage = storage;
    this.#record = record;
    this.#space = space;
    this.#sampler = sampler;
    this.#ownsStorage = ownsStorage;
    this.#history = new TrialHistory(storage, record.id);
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

  /**
   * Claims the next trial (queued ones first) and fills in its params; null when the budget is
   * spent. An enqueued trial that gives only some params has the rest drawn by the sampler (the
   * given ones win). A claim taken over by another run while its sampler waited is given up for
   * the next one.
   */
  async ask(options: AskOptions = {}): Promise<AskedTrial | null> {
    for (;;) {
      const asked = await this.#askOnce(options);
      if (asked !== 'taken-over') return asked;
    }
  }

  async #askOnce(options: AskOptions): Promise<AskedTrial | null | 'taken-over'> {
    const maxTrials = Math.min(options.maxTrials ?? Number.MAX_SAFE_INTEGER, this.#sampler.capacity);
    const claimed = await this.#storage.claimTrial(this.id, { maxTrials, owner: this.owner });
    if (!claimed) return null;
    const lease: TrialLease = { id: claimed.id, token: claimed.token };
    const seed = trialSeed(this.seed, claimed.number);
    const given = claimed.params;
    let params: Params;
    let samplerState: SamplerState = {};
    if (given !== null && this.#coversSpace(given)) {
      params = given;
    } else {
      let sample: Sample;
      try {
        sample = await this.#sampler.sample({
          // An enqueued trial has no sample index: its number names its fill.
          index: claimed.sampleIndex ?? claimed.number,
          number: claimed.number,
          history: () => this.#history.trials(),
          signal: options.signal,
          enqueued: given ?? undefined,
        });
      } catch (error) {
        // It never ran: give it back, so a later run samples it (same index, same params) first.
        await this.#storage.releaseTrial(lease).catch((releaseError: unknown) => {
          if (!isTakenOver(releaseError)) throw releaseError;
        });
        throw error;
      }
      // The given values replace the drawn ones, in the space's order; a drawn param they make inactive goes.
      params = given === null ? sample.params : activeParams(this.#space.params, { ...sample.params, ...given });
      samplerState = sample.samplerState ?? {};
    }
    try {
      await this.#storage.setTrialParams(lease, { params, samplerState, seed });
    } catch (error) {
      if (isTakenOver(error)) return 'taken-over';
      throw error;
    }
    const storage = this.#storage;
    const running: RunningTrial = {
      lease,
      number: claimed.number,
      index: claimed.sampleIndex ?? claimed.number,
      enqueued: claimed.sampleIndex === null,
      params,
      asked: new Map(),
      queue: Promise.resolve(),
    };
    this.#asked.set(claimed.number, running);
    return {
      id: claimed.id,
      token: claimed.token,
      number: claimed.number,
      // Read when asked for: the params asked while the trial runs are added (each time a new object).
      get params() {
        return running.params;
      },
      seed,
      samplerState,
      report: (step, metrics) => storage.reportStep(lease, step, metrics),
    };
  }

  /**
   * Define-by-run: the value of param `name` for a trial this study asked for and has not told,
   * asked for with the distribution `spec` (a float, int or categorical param spec, as a space
   * file declares it: what `ctx.suggestFloat` and the like send), as Optuna's `trial.suggest_*`.
   * The trial's `TrialContext` calls this for its objective; ask / tell users call it themselves.
   *
   * A name asked for again gets the same value; a param the space declares, the value drawn for
   * the trial when it was asked; anything else is drawn by the sampler (from the trial's own
   * stream for that name: random search gives what the same declaration in the space would have
   * drawn) and stored with the trial's params before this resolves. Rejects with E_USAGE when the
   * distribution differs from the one asked before or declared, when the space declares the
   * param but not for this trial (its `when:` does not hold), when the spec is not one, or when
   * the sampler cannot draw undeclared params (grid search); with E_TRIAL_TAKEN_OVER when
   * another run took the trial over. A trial's asks are answered one at a time, in order.
   */
  suggest(trial: AskedTrial | number, name: string, spec: AskedSpec): Promise<ParamValue> {
    const number = typeof trial === 'number' ? trial : trial.number;
    const running = this.#asked.get(number);
    if (running === undefined || (typeof trial !== 'number' && running.lease.id !== trial.id)) {
      return Promise.reject(new HpsearchError(
        'E_USAGE',
        `study "${this.name}" has no running trial ${number} that it asked for: params are suggested only for trials this study object's ask() returned, until they are told`,
      ));
    }
    const answer = running.queue.then(() => this.#suggestOne(running, name, spec));
    running.queue = answer.catch(() => undefined);
    return answer;
  }

  async #suggestOne(running: RunningTrial, name: string, given: AskedSpec): Promise<ParamValue> {
    let spec: AskedSpec;
    try {
      spec = askedSpec(name, given);
    } catch (error) {
      throw new HpsearchError('E_USAGE', error instanceof Error ? error.message : String(error));
    }
    const known = knownValue(this.#space.params, running, name, spec);
    if (known !== null) {
      running.asked.set(name, spec);
      return known.value;
    }
    // A range of one point is its value (as Optuna does), whatever the sampler would make of it (null is a value).
    const single = singleValue(spec);
    const value = single !== undefined ? single : await this.#sampler.suggest({
      index: running.index,
      number: running.number,
      enqueued: running.enqueued,
      name,
      spec,
      params: running.params,
      history: () => this.#history.trials(),
    });
    await this.#storage.addTrialParams(running.lease, { [name]: value });
    running.params = { ...running.params, [name]: value };
    running.asked.set(name, spec);
    return value;
  }

  /**
   * Queues trials with these params (one trial's, or a list of them), to run before any the
   * sampler draws, after those already queued; resolves to them, queued, with their numbers. A
   * param left out is drawn by the sampler when its trial is claimed (fixed params may be left
   * out). Every trial is checked before any is queued: E_VALIDATION names the param and what it
   * may be when a value is not one the space could draw; E_USAGE when the strategy has no room
   * for them (a grid or narrowing search holds at most its capacity). Enqueued trials count
   * toward the study's trials, as drawn ones do.
   */
  async enqueue(params: Record<string, unknown> | readonly Record<string, unknown>[]): Promise<TrialRecord[]> {
    const list = Array.isArray(params) ? params : [params];
    const checked = list.map((one, i) => enqueuedParams(one, this.#space.params, list.length > 1 ? `params[${i}]` : undefined));
    const capacity = this.#sampler.capacity;
    if (Number.isFinite(capacity)) {
      const held = Object.values(await this.counts()).reduce((a, b) => a + b, 0);
      if (held + checked.length > capacity) {
        throw new HpsearchError(
          'E_USAGE',
          `study "${this.name}" holds ${held} trials and its ${this.#sampler.name} search at most ${capacity}: ` +
            `${checked.length === 1 ? 'an enqueued trial' : `${checked.length} enqueued trials`} would not fit (enqueued trials count toward the trials)`,
        );
      }
    }
    const queued: TrialRecord[] = [];
    for (const one of checked) queued.push(await this.#storage.enqueueTrial(this.id, one));
    return queued;
  }

  /**
   * Ends a trial with its value, `{ value, metrics }`, or an explicit `{ state, error }`: one this
   * study asked for (the trial, or its number), or a queued one by number. Rejects with
   * E_TRIAL_TAKEN_OVER when another run has taken the trial over meanwhile.
   */
  async tell(trial: AskedTrial | number, result: TellResult): Promise<void> {
    const lease: TrialLease = typeof trial === 'number'
      ? this.#asked.get(trial)?.lease ?? { id: (await this.#trialByNumber(trial)).id, token: null }
      : { id: trial.id, token: trial.token };
    const number = typeof trial === 'number' ? trial : trial.number;
    try {
      await this.#storage.finishTrial(lease, toTrialFinish(result));
    } catch (error) {
      if (isTakenOver(error)) this.#asked.delete(number);
      throw error;
    }
    this.#asked.delete(number);
  }

  /**
   * Keeps the trained model of a trial this study asked for, once it is told complete, if the
   * trial is among the best `keep.top` complete ones (or `all`); models of trials that fall out
   * are deleted in the same transaction. Resolves to whether this one's model is kept.
   */
  keepModel(trial: AskedTrial, model: ModelArtifact, keep: SaveModels): Promise<boolean> {
    return this.#storage.keepTrialModel({ id: trial.id, token: trial.token }, model, { top: keep.top, direction: this.direction });
  }

  /** The trained model trial `number` kept, or null. */
  model(number: number): Promise<ModelArtifact | null> {
    return this.#storage.getTrialModel(this.id, number);
  }

  /**
   * Gives an asked trial back to the queue, to be sampled and run afresh (by any run). Resolves to
   * false when another run had taken it over already.
   */
  async release(trial: AskedTrial): Promise<boolean> {
    try {
      await this.#storage.releaseTrial({ id: trial.id, token: trial.token });
      return true;
    } catch (error) {
      if (isTakenOver(error)) return false;
      throw error;
    } finally {
      this.#asked.delete(trial.number);
    }
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

  /** Whether `params` name every param of the space they make active: then the sampler has nothing to fill in. */
  #coversSpace(params: Params): boolean {
    return activeNames(this.#space.params, params).every((name) => Object.hasOwn(params, name));
  }

  async #trialByNumber(number: number): Promise<TrialDetail> {
    const found = await this.#storage.getTrial(this.id, number);
    if (!found) throw new HpsearchError('E_TRIAL_NOT_FOUND', `study "${this.name}" has no trial ${number}`);
    return found;
  }
}

/** Whether a write was refused because another run took the trial over. */
export function isTakenOver(error: unknown): boolean {
  return error instanceof HpsearchError && error.code === 'E_TRIAL_TAKEN_OVER';
}
