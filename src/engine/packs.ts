/**
 * Packs: trials of one study whose tensors have the same shapes (the kind's pack key agrees),
 * trained together by one worker as one batched computation. A lane claims trials one by one,
 * as it would run them, and each goes to the group of its key; a group that reaches the pack
 * size is a pack. When no more trials come, the largest group is one. Trials wait in a group
 * claimed and held (beating), so the run's budget, claims and takeovers stay per trial; the
 * sampler sees the waiting ones as running (TPE's constant liar counts them).
 */
import type { ClaimedTrial } from './run-trial.js';

export class PackFormer {
  readonly size: number;
  readonly #keyOf: (claimed: ClaimedTrial) => string | null;
  /** Claimed trials waiting for their pack, by key; a Map keeps the oldest group first. */
  readonly #groups = new Map<string, ClaimedTrial[]>();

  /** `size`: the most members of a pack (at least 2). `keyOf`: a trial's pack key, null when it runs alone. */
  constructor(size: number, keyOf: (claimed: ClaimedTrial) => string | null) {
    this.size = size;
    this.#keyOf = keyOf;
  }

  /** Trials claimed and not yet in a pack. */
  get waiting(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.length;
    return count;
  }

  /** Adds a trial just claimed; returns a pack when that made one (or the trial runs alone), else null. */
  add(claimed: ClaimedTrial): ClaimedTrial[] | null {
    const key = this.#keyOf(claimed);
    if (key === null) return [claimed];
    const group = this.#groups.get(key) ?? [];
    group.push(claimed);
    if (group.length < this.size) {
      this.#groups.set(key, group);
      return null;
    }
    this.#groups.delete(key);
    return group;
  }

  /** The largest waiting group (the oldest of equals), taken out as a pack; null when none waits. */
  takeLargest(): ClaimedTrial[] | null {
    let largest: [string, ClaimedTrial[]] | null = null;
    for (const entry of this.#groups) if (largest === null || entry[1].length > largest[1].length) largest = entry;
    if (largest === null) return null;
    this.#groups.delete(largest[0]);
    return largest[1];
  }

  /** Every waiting trial, taken out (the run stops: they go back to the queue unstarted). */
  takeAll(): ClaimedTrial[] {
    const all = [...this.#groups.values()].flat();
    this.#groups.clear();
    return all;
  }
}
