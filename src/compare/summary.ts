import type { Direction } from '../space/types.js';

/**
 * Statistics of an early-stopping study (`hpsearch compare`): the same space run once per
 * (sampler, strategy, seed), each (sampler, strategy) measured against the reference run of the
 * same seed: the reference strategy (no pruning) under the reference sampler (the first one's,
 * e.g. plain random search in a comparison of random and tpe). Pure: it works on finished-run
 * records, so it is tested on hand-made ones.
 */

/** One trial of a run as it ended, in the order trials ended. */
export interface TrialEndRecord {
  number: number;
  state: 'complete' | 'pruned' | 'failed';
  value: number | null;
  /** Steps the whole run had trained when this trial ended (running trials included). */
  stepsTrained: number;
}

/** One finished run: one strategy under one sampler on one seed. */
export interface CompareRun {
  /** The search strategy the run sampled with, e.g. random or tpe. */
  sampler: string;
  strategy: string;
  seed: number;
  study: string;
  /** Best value of a complete trial; null when none completed. */
  best: number | null;
  /** Trials this run ran. */
  trials: number;
  pruned: number;
  stoppedEarly: number;
  failed: number;
  stepsTrained: number;
  /** Steps the same trials would have trained without stopping; null when unknown. */
  stepsPlanned: number | null;
  durationMs: number;
  ends: readonly TrialEndRecord[];
}

export interface SummaryOptions {
  direction: Direction;
  /** The strategy the others are measured against (default `none`). */
  reference?: string;
  /** The sampler whose reference-strategy run the others are measured against (default: the first run's). */
  referenceSampler?: string;
  /** How close to the reference's best counts as reaching it (default 0.01). */
  tolerance?: number;
  /** The target: reach the reference's best within this fraction of its steps (default 0.25). */
  targetFraction?: number;
}

export const DEFAULT_TOLERANCE = 0.01;
export const DEFAULT_TARGET_FRACTION = 0.25;

/** Mean and sample standard deviation (n - 1; 0 for one value) of the values there are. */
export interface Spread {
  mean: number | null;
  std: number | null;
  /** How many values (seeds) went in. */
  n: number;
}

/** One run's own figures (all of CompareRun but its sampler, strategy and trial list), measured against the same seed's reference. */
export interface SeedResult extends Omit<CompareRun, 'sampler' | 'strategy' | 'ends'> {
  /** stepsTrained / the reference run's stepsTrained (same seed); null without a reference. */
  fractionOfReference: number | null;
  /** The reference run's best and steps trained on this seed. */
  referenceBest: number | null;
  referenceSteps: number | null;
  /** The first complete trial within the tolerance of referenceBest, and the run's steps when it ended. */
  reached: { trial: number; steps: number } | null;
  /** Reached using at most targetFraction of the reference's steps; null for the reference itself. */
  metTarget: boolean | null;
}

/** One row of the comparison: one strategy under one sampler, over the seeds. */
export interface StrategySummary {
  sampler: string;
  strategy: string;
  best: Spread;
  /** Mean steps per seed, and that as a fraction of the reference's mean. */
  stepsTrained: { mean: number; fractionOfReference: number | null };
  durationMs: { mean: number };
  pruned: { mean: number };
  stoppedEarly: { mean: number };
  failed: { mean: number };
  /** Mean over the seeds where the reference's best was reached. */
  stepsToReach: { mean: number | null; reached: number; of: number };
  /** In how many seeds the target was met; null for the reference run itself. */
  target: { met: number; of: number; all: boolean } | null;
  seeds: SeedResult[];
}

export interface ComparisonSummary {
  direction: Direction;
  /** The reference strategy, and the sampler it runs under. */
  reference: string;
  referenceSampler: string | null;
  tolerance: number;
  targetFraction: number;
  seeds: number[];
  /** The samplers, in the order they first appear in the runs. */
  samplers: string[];
  /** One per (sampler, strategy), grouped by sampler, each in the order it first appears in the runs. */
  strategies: StrategySummary[];
}

export function summarizeComparison(runs: readonly CompareRun[], options: SummaryOptions): ComparisonSummary {
  const reference = options.reference ?? 'none';
  const referenceSampler = options.referenceSampler ?? runs[0]?.sampler ?? null;
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const targetFraction = options.targetFraction ?? DEFAULT_TARGET_FRACTION;
  const isReference = (r: Pick<CompareRun, 'sampler' | 'strategy'>) => r.strategy === reference && r.sampler === referenceSampler;
  const references = new Map(runs.filter(isReference).map((r) => [r.seed, r]));
  const seeds = unique(runs.map((r) => r.seed));
  const samplers = unique(runs.map((r) => r.sampler));
  const groups = samplers.flatMap((sampler) => unique(runs.filter((r) => r.sampler === sampler).map((r) => r.strategy)).map((strategy) => ({ sampler, strategy })));
  const strategies = groups.map(({ sampler, strategy }): StrategySummary => {
    const own = runs.filter((r) => r.sampler === sampler && r.strategy === strategy);
    const ownIsReference = isReference({ sampler, strategy });
    const perSeed = own.map((run) => seedResult(run, references.get(run.seed), ownIsReference));
    const reached = perSeed.flatMap((s) => (s.reached ? [s.reached.steps] : []));
    const referenceSteps = own.flatMap((r) => {
      const ref = references.get(r.seed);
      return ref ? [ref.stepsTrained] : [];
    });
    const meanSteps = mean(own.map((r) => r.stepsTrained)) ?? 0;
    const meanReferenceSteps = mean(referenceSteps);
    const met = perSeed.filter((s) => s.metTarget === true).length;
    return {
      sampler,
      strategy,
      best: spread(own.flatMap((r) => (r.best === null || !Number.isFinite(r.best) ? [] : [r.best]))),
      stepsTrained: {
        mean: meanSteps,
        fractionOfReference: meanReferenceSteps && referenceSteps.length === own.length ? meanSteps / meanReferenceSteps : null,
      },
      durationMs: { mean: mean(own.map((r) => r.durationMs)) ?? 0 },
      pruned: { mean: mean(own.map((r) => r.pruned)) ?? 0 },
      stoppedEarly: { mean: mean(own.map((r) => r.stoppedEarly)) ?? 0 },
      failed: { mean: mean(own.map((r) => r.failed)) ?? 0 },
      stepsToReach: { mean: mean(reached), reached: reached.length, of: own.length },
      target: ownIsReference ? null : { met, of: own.length, all: own.length > 0 && met === own.length },
      seeds: perSeed,
    };
  });
  return { direction: options.direction, reference, referenceSampler, tolerance, targetFraction, seeds, samplers, strategies };

  function seedResult(run: CompareRun, ref: CompareRun | undefined, isReferenceRun: boolean): SeedResult {
    const referenceBest = ref?.best ?? null;
    const reached = referenceBest === null ? null : firstReach(run.ends, referenceBest, options.direction, tolerance);
    const { sampler: _sampler, strategy: _strategy, ends: _ends, ...own } = run;
    return {
      ...own,
      fractionOfReference: ref && ref.stepsTrained > 0 ? run.stepsTrained / ref.stepsTrained : null,
      referenceBest,
      referenceSteps: ref?.stepsTrained ?? null,
      reached,
      metTarget: isReferenceRun ? null : reached !== null && ref !== undefined && reached.steps <= targetFraction * ref.stepsTrained,
    };
  }
}

/**
 * The first complete trial (in the order trials ended) whose value is within `tolerance` of
 * `target`: at least target - tolerance when maximizing, at most target + tolerance when
 * minimizing. A hair of slack keeps 0.81 - 0.01 from missing 0.80 by a rounding error.
 */
export function firstReach(
  ends: readonly TrialEndRecord[],
  target: number,
  direction: Direction,
  tolerance: number,
): { trial: number; steps: number } | null {
  const slack = 1e-9 * Math.max(1, Math.abs(target));
  for (const end of ends) {
    if (end.state !== 'complete' || end.value === null || !Number.isFinite(end.value)) continue;
    const within =
      direction === 'maximize' ? end.value >= target - tolerance - slack : end.value <= target + tolerance + slack;
    if (within) return { trial: end.number, steps: end.stepsTrained };
  }
  return null;
}

/** Mean and sample standard deviation; std 0 for one value, both null for none. */
export function spread(values: readonly number[]): Spread {
  const m = mean(values);
  if (m === null) return { mean: null, std: null, n: 0 };
  if (values.length === 1) return { mean: m, std: 0, n: 1 };
  const squares = values.reduce((sum, v) => sum + (v - m) ** 2, 0);
  return { mean: m, std: Math.sqrt(squares / (values.length - 1)), n: values.length };
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
