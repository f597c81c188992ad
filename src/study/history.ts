import type { Storage, TrialRecord } from '../storage/storage.js';
import { isFinished } from '../trial-state.js';

/**
 * The study's trials as a sampler reads them before every draw, in one query each time. A
 * finished trial never changes (the storage contract), so it is read once and kept; each later
 * read asks only for trials numbered above the highest seen and for those that were unfinished
 * then. A TPE study of 1,000 trials thus reads a handful of rows per draw instead of 1,000.
 */
export class TrialHistory {
  readonly #storage: Storage;
  readonly #studyId: number;
  readonly #finished = new Map<number, TrialRecord>();
  /** Trials last seen queued or running, by number. */
  readonly #unfinished = new Map<number, TrialRecord>();
  #highest = -1;
  #read = false;

  constructor(storage: Storage, studyId: number) {
    this.#storage = storage;
    this.#studyId = studyId;
  }

  /** Every trial of the study, by number, as the storage holds them now. */
  async trials(): Promise<TrialRecord[]> {
    const fresh = this.#read
      ? await this.#storage.listTrials(this.#studyId, { numbers: { above: this.#highest, among: [...this.#unfinished.keys()] } })
      : await this.#storage.listTrials(this.#studyId);
    this.#read = true;
    // Merged, not replaced: two draws may read at once, and the later answer can come first.
    // Neither loses a trial (every number asked for exists), and a finished one stays finished.
    for (const trial of fresh) {
      if (this.#finished.has(trial.number)) continue;
      if (isFinished(trial.state)) {
        this.#finished.set(trial.number, trial);
        this.#unfinished.delete(trial.number);
      } else {
        this.#unfinished.set(trial.number, trial);
      }
      if (trial.number > this.#highest) this.#highest = trial.number;
    }
    // Nearly in order already (trials mostly finish in number order), which the sort runs through.
    return [...this.#finished.values(), ...this.#unfinished.values()].sort((a, b) => a.number - b.number);
  }
}
