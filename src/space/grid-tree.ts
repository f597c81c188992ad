/**
 * The grid of a space with conditional params, as a tree: params are decided in `decisionOrder`,
 * a param its conditions leave out adds no level, and an active one branches over its grid
 * values. Its size is the sum over branches, not the product: lr × optimizer {sgd, momentum with
 * 2 values, adam with 3} is 2 × (1 + 2 + 3) = 12 points. Without conditions it is the cartesian
 * product, listed as before: declaration order, the last param varying fastest.
 *
 * The grid reaches a million points (and a sampler may be handed far bigger ones), so it is never
 * materialised. A position is decoded by counting the completions below each branch. What comes
 * after param k depends on the params decided before it only through whether each condition
 * (clause) naming a decided parent and belonging to a param at or after k holds; those truths
 * are the memo key of level k. A space without conditions has no such clauses: one count per
 * level, and a decode in O(params), which is the mixed-radix decode of the product.
 */
import { clauseHolds, decisionOrder } from './conditions.js';
import type { ConditionClause, Params, ParamSpecs, ParamValue } from './types.js';

/** Consecutive values of a param that meet the same of its children's clauses, so every one has as many completions. */
interface Run {
  start: number;
  length: number;
  /** For each of the level's `children`, whether these values meet its clause. */
  meets: readonly boolean[];
}

interface Level {
  name: string;
  values: readonly ParamValue[];
  /**
   * The ids of the param's clauses; null when one can never hold: its parent is unknown or not
   * decided before it (a cycle, which the loader refuses but a hand-made space may have).
   */
  own: readonly number[] | null;
  /** The clauses that name this param as their parent, set once its value is decided. */
  children: readonly { id: number; clause: ConditionClause }[];
  runs: readonly Run[];
  /** The clauses whose truth is settled before this level and read at it or after: the memo key. */
  pending: readonly number[];
  /** Completions from this level on, by the truths of `pending`. */
  counts: Map<string, number>;
}

export class GridTree {
  /** The number of points: the tree's leaves. */
  readonly size: number;
  private readonly specs: ParamSpecs;
  private readonly levels: Level[];
  /** Whether each clause (by id) holds for the values decided so far along the path being counted or decoded (scratch: both run synchronously). */
  private readonly holds: boolean[] = [];

  /** `values`: each param's grid points, in the order the listing takes them. */
  constructor(specs: ParamSpecs, values: Readonly<Record<string, readonly ParamValue[]>>) {
    this.specs = specs;
    const order = decisionOrder(specs);
    const levelOf = new Map(order.map((name, k) => [name, k]));
    const children: { id: number; clause: ConditionClause }[][] = order.map(() => []);
    const pending: number[][] = order.map(() => []);
    const own = order.map((name, k): number[] | null => {
      const clauses: { from: number; clause: ConditionClause }[] = [];
      for (const [parent, clause] of Object.entries(specs[name].when ?? {})) {
        const from = levelOf.get(parent);
        if (from === undefined || from >= k) return null;
        clauses.push({ from, clause });
      }
      return clauses.map(({ from, clause }) => {
        const id = this.holds.length;
        this.holds.push(false);
        children[from].push({ id, clause });
        for (let between = from + 1; between <= k; between++) pending[between].push(id);
        return id;
      });
    });
    this.levels = order.map((name, k) => ({
      name,
      values: values[name],
      own: own[k],
      children: children[k],
      runs: runsOf(values[name], children[k]),
      pending: pending[k],
      counts: new Map(),
    }));
    this.size = this.count(0);
  }

  /** The point at `position` of the listing, in [0, size): its active params, in declaration order. */
  pointAt(position: number): Params {
    const decided: Params = {};
    let rest = position;
    for (const [k, level] of this.levels.entries()) {
      if (!this.active(level)) {
        this.settle(level, null);
        continue;
      }
      for (const [r, run] of level.runs.entries()) {
        this.settle(level, run.meets);
        const each = this.count(k + 1);
        // The last run takes what rounding leaves over in grids beyond 2^53 points, as the product's decode did.
        if (rest < each * run.length || r === level.runs.length - 1) {
          const offset = Math.min(Math.floor(rest / each), run.length - 1);
          decided[level.name] = level.values[run.start + offset];
          rest -= offset * each;
          break;
        }
        rest -= each * run.length;
      }
    }
    const point: Params = {};
    for (const name of Object.keys(this.specs)) if (Object.hasOwn(decided, name)) point[name] = decided[name];
    return point;
  }

  /** The points from level k on, given the clause truths settled before it. */
  private count(k: number): number {
    if (k === this.levels.length) return 1;
    const level = this.levels[k];
    const key = level.pending.length === 0 ? '' : level.pending.map((id) => (this.holds[id] ? '1' : '0')).join('');
    const known = level.counts.get(key);
    if (known !== undefined) return known;
    let total = 0;
    if (!this.active(level)) {
      this.settle(level, null);
      total = this.count(k + 1);
    } else {
      for (const run of level.runs) {
        this.settle(level, run.meets);
        total += run.length * this.count(k + 1);
      }
    }
    level.counts.set(key, total);
    return total;
  }

  private active(level: Level): boolean {
    return level.own !== null && level.own.every((id) => this.holds[id]);
  }

  /** Records what the level's value means for its children: `meets` of its run, or none when the param is left out. */
  private settle(level: Level, meets: readonly boolean[] | null): void {
    level.children.forEach(({ id }, c) => (this.holds[id] = meets !== null && meets[c]));
  }
}

function runsOf(values: readonly ParamValue[], children: readonly { clause: ConditionClause }[]): Run[] {
  const runs: Run[] = [];
  for (const [i, value] of values.entries()) {
    const meets = children.map(({ clause }) => clauseHolds(clause, value));
    const last = runs[runs.length - 1];
    if (last !== undefined && last.meets.every((m, c) => m === meets[c])) last.length++;
    else runs.push({ start: i, length: 1, meets });
  }
  return runs;
}
