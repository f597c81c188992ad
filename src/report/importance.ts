import type { ParamSpec, ParamValue } from '../space/types.js';

/**
 * Parameter importance by a one-way variance split (a first-order, fANOVA-style estimate): for
 * each param, group the trials by its value — numeric params into up to `maxBins` equal-count
 * bins (quantiles, so a log scale gives the same bins), categorical ones by choice — and measure
 * how much of the objective's variance the group means explain on their own. The measure is
 * epsilon squared, the correlation ratio η² corrected for the number of groups:
 *
 *   ε² = max(0, (SS_between − (k − 1) · SS_within / (n − k)) / SS_total)
 *
 * so a param that does nothing scores about 0 however many bins it is cut into. `importance` is
 * ε² scaled so that the params sum to 1 (as Optuna normalises its importances); `explained` is
 * ε² itself. It ignores interactions: two params that only matter together both score low.
 *
 * A conditional param is estimated over the trials where it is active (those that have it), so
 * its ε² is a share of the variance among those trials, not among all.
 */
export interface ParamImportance {
  param: string;
  /** Share of the summed ε² of all params: 0..1, the params add up to 1 (all 0 when none explains anything). */
  importance: number;
  /** ε²: the fraction of the objective's variance this param's groups explain on their own. */
  explained: number;
  /** How many groups (bins or choices) the trials fell into. */
  groups: number;
  /** How many trials the estimate is over: those with a finite value that have the param. */
  trials: number;
}

export interface ImportanceTrial {
  params: Record<string, ParamValue>;
  value: number;
}

export const DEFAULT_MAX_BINS = 10;
/** Fewer trials than this give no estimate: the split would be noise. */
export const MIN_TRIALS_FOR_IMPORTANCE = 4;

/**
 * Importances of the params in `specs` that vary (fixed ones are left out), most important first;
 * ties by name. Trials lacking a param (inactive in them), or with a non-finite value, take no
 * part in its estimate; a null value is a value, a choice like any other. Returns [] with fewer
 * than MIN_TRIALS_FOR_IMPORTANCE usable trials, and leaves out a param that fewer of them have.
 */
export function paramImportance(
  specs: Readonly<Record<string, ParamSpec>>,
  trials: readonly ImportanceTrial[],
  maxBins = DEFAULT_MAX_BINS,
): ParamImportance[] {
  const usable = trials.filter((t) => Number.isFinite(t.value));
  if (usable.length < MIN_TRIALS_FOR_IMPORTANCE) return [];
  const raw = Object.entries(specs)
    .filter(([, spec]) => spec.type !== 'fixed')
    .map(([param, spec]) => {
      const rows = usable.filter((t) => Object.hasOwn(t.params, param));
      const groups = spec.type === 'categorical' ? byChoice(rows, param) : byQuantile(rows, param, maxBins);
      const trials = groups.reduce((n, g) => n + g.length, 0);
      return { param, explained: epsilonSquared(groups), groups: groups.length, trials };
    })
    .filter((r) => r.trials >= MIN_TRIALS_FOR_IMPORTANCE);
  const total = raw.reduce((sum, r) => sum + r.explained, 0);
  return raw
    .map((r) => ({ ...r, importance: total > 0 ? r.explained / total : 0 }))
    .sort((a, b) => b.importance - a.importance || a.param.localeCompare(b.param));
}

/** ε² of the objective values split into `groups`; 0 when it cannot be told (one group, no spread). */
export function epsilonSquared(groups: readonly (readonly number[])[]): number {
  const nonEmpty = groups.filter((g) => g.length > 0);
  const all = nonEmpty.flat();
  const n = all.length;
  const k = nonEmpty.length;
  if (k < 2 || n <= k) return 0;
  const mean = all.reduce((a, b) => a + b, 0) / n;
  const total = all.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  if (total <= 0) return 0;
  let between = 0;
  let within = 0;
  for (const g of nonEmpty) {
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    between += g.length * (m - mean) ** 2;
    within += g.reduce((sum, v) => sum + (v - m) ** 2, 0);
  }
  return Math.max(0, (between - (k - 1) * (within / (n - k))) / total);
}

function byChoice(rows: readonly ImportanceTrial[], param: string): number[][] {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    const key = JSON.stringify(row.params[param]);
    const group = groups.get(key) ?? [];
    group.push(row.value);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Equal-count bins over the sorted param values: min(maxBins, ⌊n / 2⌋) of them, so each bin has
 * at least two trials. Equal param values never straddle two bins (a grid's points stay whole).
 */
function byQuantile(rows: readonly ImportanceTrial[], param: string, maxBins: number): number[][] {
  const sorted = rows
    .filter((r) => typeof r.params[param] === 'number' && Number.isFinite(r.params[param]))
    .map((r) => ({ x: r.params[param] as number, value: r.value }))
    .sort((a, b) => a.x - b.x);
  const bins = Math.max(1, Math.min(maxBins, Math.floor(sorted.length / 2)));
  const groups: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    current.push(sorted[i]!.value);
    const boundary = Math.round(((groups.length + 1) * sorted.length) / bins);
    const last = i === sorted.length - 1;
    if (last || (i + 1 >= boundary && sorted[i + 1]!.x !== sorted[i]!.x)) {
      groups.push(current);
      current = [];
    }
  }
  return groups;
}
