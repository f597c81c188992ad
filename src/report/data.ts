import { samplerStateLabel } from '../samplers/index.js';
import { narrowingRound, roundRanges } from '../samplers/narrowing.js';
import type { Direction, ParamSpec, ParamSpecs, ParamValue, SearchSpace } from '../space/types.js';
import type { LeaderboardRow, StepRecord, TrialRecord } from '../storage/storage.js';
import { TRIAL_STATES, type TrialState } from '../trial-state.js';
import { paramImportance, type ParamImportance } from './importance.js';

/**
 * What a study report shows, extracted from the stored study: pure, so every view is tested on
 * hand-made trials without a browser. `payload.ts` turns it into charts, `html/` into a page.
 */
export interface ReportData {
  study: { name: string; direction: Direction; metric: string; seed: number; strategy: string | null; location: string };
  /** Milliseconds since the epoch. */
  generatedAt: number;
  counts: Record<TrialState, number>;
  params: ReportParam[];
  /** Every trial, ranked as `leaderboard --all`: complete best first, then pruned, failed, running, queued. */
  trials: ReportTrial[];
  curves: ReportCurves;
  /** The two params of the scatter; `y` null: one numeric param, plotted against the objective. */
  scatter: { x: string; y: string | null } | null;
  importance: ParamImportance[];
  /** Narrowing studies: each round's ranges; null for other strategies. */
  rounds: ReportRound[] | null;
}

export interface ReportParam {
  name: string;
  type: ParamSpec['type'];
  log: boolean;
  /** Categorical choices (as JSON text), in the order the space gives them. */
  choices: string[] | null;
}

export interface ReportTrial {
  rank: number;
  number: number;
  state: TrialState;
  value: number | null;
  params: Record<string, ParamValue>;
  steps: number;
  durationMs: number | null;
  /** Narrowing's round (the rounds view places trials by it); null for other strategies. */
  round: number | null;
  /** The study's sampler's label for what it recorded with the trial (`round 2`, `startup`, `tpe`); null for grid and random. */
  sampler: string | null;
  /** Why it failed or stopped early, if it did. */
  reason: string | null;
}

export interface ReportCurves {
  /** The per-step metric drawn solid, e.g. val_accuracy; null when no trial reported steps. */
  validation: string | null;
  /** Its training counterpart drawn dashed (train_accuracy), when trials report one. */
  training: string | null;
  trials: CurveTrial[];
}

export interface CurveTrial {
  number: number;
  state: TrialState;
  value: number | null;
  points: CurvePoint[];
}

export interface CurvePoint {
  step: number;
  split: 'validation' | 'training';
  value: number;
}

export interface ReportRound {
  round: number;
  trials: number;
  ranges: Record<string, RoundRange>;
}

export type RoundRange =
  | { type: 'range'; low: number; high: number; log: boolean }
  | { type: 'choices'; choices: string[] }
  | { type: 'fixed'; value: string };

export const DEFAULT_CURVE_TRIALS = 20;

export interface ReportInput {
  study: { name: string; direction: Direction; metric: string; seed: number };
  location: string;
  /** The parsed stored space; null when it could not be rebuilt (params are then inferred). */
  space: SearchSpace | null;
  /** Every trial (listTrials). */
  trials: readonly TrialRecord[];
  /** Every trial with its step count and duration (leaderboard over all states). */
  rows: readonly LeaderboardRow[];
  /** Steps of the trials picked by `curveTrialNumbers`, by trial number. */
  steps: ReadonlyMap<number, readonly StepRecord[]>;
  /** The scatter's params, e.g. from `--scatter`; default: learning_rate × weight_decay when present. */
  scatter?: readonly [string, string] | null;
  now?: number;
}

const STATE_ORDER: Record<TrialState, number> = { complete: 0, pruned: 1, failed: 2, running: 3, queued: 4 };

/** Trials ranked like `leaderboard --all`: by state group, then by value in the study's direction, then number. */
export function rankRows(rows: readonly LeaderboardRow[], direction: Direction): LeaderboardRow[] {
  const sign = direction === 'minimize' ? 1 : -1;
  const key = (v: number | null) => (v === null || Number.isNaN(v) ? null : v);
  return [...rows].sort((a, b) => {
    const byState = STATE_ORDER[a.state] - STATE_ORDER[b.state];
    if (byState !== 0) return byState;
    const va = key(a.value);
    const vb = key(b.value);
    if (va === vb) return a.number - b.number;
    if (va === null) return 1;
    if (vb === null) return -1;
    return sign * (va - vb);
  });
}

/** The trials whose curves the report draws: the best `count` complete ones, then pruned ones, that reported steps. */
export function curveTrialNumbers(rows: readonly LeaderboardRow[], direction: Direction, count = DEFAULT_CURVE_TRIALS): number[] {
  return rankRows(rows, direction)
    .filter((r) => (r.state === 'complete' || r.state === 'pruned') && r.steps > 0)
    .slice(0, count)
    .map((r) => r.number);
}

export function buildReportData(input: ReportInput): ReportData {
  const { study } = input;
  const ranked = rankRows(input.rows, study.direction);
  const specs = reportSpecs(input.space?.params, input.trials);
  const params = Object.entries(specs).map(([name, spec]): ReportParam => ({
    name,
    type: spec.type,
    log: (spec.type === 'float' || spec.type === 'int') && spec.log,
    choices: spec.type === 'categorical' ? spec.choices.map((c) => JSON.stringify(c)) : null,
  }));
  const counts = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const row of input.rows) counts[row.state]++;
  const complete = input.trials.filter((t) => t.state === 'complete' && t.value !== null && Number.isFinite(t.value));
  const describe = samplerStateLabel(input.space?.search.strategy ?? null);
  return {
    study: {
      ...study,
      strategy: input.space?.search.strategy ?? null,
      location: input.location,
    },
    generatedAt: input.now ?? Date.now(),
    counts,
    params,
    trials: ranked.map((row, i) => ({
      rank: i + 1,
      number: row.number,
      state: row.state,
      value: row.value,
      params: row.params,
      steps: row.steps,
      durationMs: row.durationMs,
      round: narrowingRound(row),
      sampler: describe(row.samplerState),
      reason: row.error,
    })),
    curves: buildCurves(ranked, input.steps, study.metric),
    scatter: chooseScatter(params, input.scatter ?? null),
    importance: paramImportance(specs, complete.map((t) => ({ params: t.params, value: t.value! }))),
    rounds: input.space?.search.strategy === 'narrowing' ? buildRounds(input.space, input.trials) : null,
  };
}

function buildCurves(ranked: readonly LeaderboardRow[], steps: ReadonlyMap<number, readonly StepRecord[]>, metric: string): ReportCurves {
  const picked = ranked.filter((r) => (r.state === 'complete' || r.state === 'pruned') && steps.has(r.number));
  const names = new Set(picked.flatMap((r) => steps.get(r.number)!.flatMap((s) => Object.keys(s.values))));
  const validation = curveMetric(names, metric);
  const training = validation === null ? null : trainingCounterpart(validation, names);
  const trials = picked.map((row): CurveTrial => {
    const points: CurvePoint[] = [];
    for (const { step, values } of steps.get(row.number)!) {
      const v = validation === null ? undefined : values[validation];
      if (v !== undefined && Number.isFinite(v)) points.push({ step, split: 'validation', value: v });
      const t = training === null ? undefined : values[training];
      if (t !== undefined && Number.isFinite(t)) points.push({ step, split: 'training', value: t });
    }
    return { number: row.number, state: row.state, value: row.value, points };
  });
  return { validation, training, trials };
}

/** The objective's metric when trials report it per step, else the first val_* metric, else the first one. */
function curveMetric(names: ReadonlySet<string>, metric: string): string | null {
  if (names.has(metric)) return metric;
  const sorted = [...names].sort();
  return sorted.find((n) => n.startsWith('val_')) ?? sorted[0] ?? null;
}

/** val_accuracy → train_accuracy (or train_acc, accuracy) when reported. */
function trainingCounterpart(validation: string, names: ReadonlySet<string>): string | null {
  const base = validation.replace(/^(val|validation|valid)_/, '');
  if (base === validation) return null;
  return [`train_${base}`, `training_${base}`, base].find((n) => names.has(n)) ?? null;
}

/**
 * The scatter's axes: the requested pair when both are numeric params; else learning_rate and
 * weight_decay (the book's picture) when present; else the first two numeric params; one numeric
 * param gives (it, null): it against the objective.
 */
export function chooseScatter(params: readonly ReportParam[], requested: readonly [string, string] | null): ReportData['scatter'] {
  const numeric = params.filter((p) => p.type === 'float' || p.type === 'int').map((p) => p.name);
  if (requested) return { x: requested[0], y: requested[1] };
  const book = ['learning_rate', 'weight_decay'];
  if (book.every((n) => numeric.includes(n))) return { x: book[0]!, y: book[1]! };
  if (numeric.length >= 2) return { x: numeric[0]!, y: numeric[1]! };
  if (numeric.length === 1) return { x: numeric[0]!, y: null };
  return null;
}

function buildRounds(space: SearchSpace, trials: readonly TrialRecord[]): ReportRound[] {
  return roundRanges(space, trials).map((ranges, round) => ({
    round,
    trials: trials.filter((t) => narrowingRound(t) === round).length,
    ranges: Object.fromEntries(Object.entries(ranges).map(([name, spec]) => [name, roundRange(spec)])),
  }));
}

function roundRange(spec: ParamSpec): RoundRange {
  switch (spec.type) {
    case 'float':
    case 'int':
      return { type: 'range', low: spec.low, high: spec.high, log: spec.log };
    case 'categorical':
      return { type: 'choices', choices: spec.choices.map((c) => JSON.stringify(c)) };
    case 'fixed':
      return { type: 'fixed', value: JSON.stringify(spec.value) };
  }
}

/**
 * The space's params, then those its trials asked for while they ran (define-by-run), which the
 * space does not declare: inferred from their values, as every param is without a stored space.
 */
function reportSpecs(declared: ParamSpecs | undefined, trials: readonly TrialRecord[]): ParamSpecs {
  const inferred = inferSpecs(trials);
  if (declared === undefined) return inferred;
  const specs: ParamSpecs = { ...declared };
  for (const [name, spec] of Object.entries(inferred)) if (!Object.hasOwn(specs, name)) specs[name] = spec;
  return specs;
}

/** Without a stored space: numbers are floats (log when all positive and spanning ≥ 2 decades), the rest categorical. */
function inferSpecs(trials: readonly TrialRecord[]): ParamSpecs {
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
  const specs: ParamSpecs = {};
  for (const name of names) {
    const values = trials.map((t) => t.params[name]).filter((v) => v !== undefined);
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (numbers.length === values.length && numbers.length > 0) {
      const low = Math.min(...numbers);
      const high = Math.max(...numbers);
      specs[name] = { type: 'float', low, high, log: low > 0 && high / low >= 100 };
    } else {
      const choices = [...new Map(values.map((v) => [JSON.stringify(v), v ?? null])).values()];
      specs[name] = choices.length === 1 ? { type: 'fixed', value: choices[0]! } : { type: 'categorical', choices };
    }
  }
  return specs;
}
