import { describe, expect, it } from 'vitest';
import { firstReach, spread, summarizeComparison, type CompareRun, type TrialEndRecord } from '../../src/compare/summary.js';

/** A finished run; `ends` as [state, value, stepsTrained] in the order the trials ended; best as if maximizing unless given. */
function run(strategy: string, seed: number, ends: [TrialEndRecord['state'], number | null, number][], extra: Partial<CompareRun> = {}): CompareRun {
  const records = ends.map(([state, value, stepsTrained], number) => ({ number, state, value, stepsTrained }));
  const complete = records.filter((e) => e.state === 'complete' && e.value !== null).map((e) => e.value!);
  return {
    sampler: 'random',
    strategy,
    seed,
    study: `s.compare.${strategy}.s${seed}`,
    best: complete.length > 0 ? Math.max(...complete) : null,
    trials: records.length,
    pruned: records.filter((e) => e.state === 'pruned').length,
    stoppedEarly: 0,
    failed: records.filter((e) => e.state === 'failed').length,
    stepsTrained: records.at(-1)?.stepsTrained ?? 0,
    stepsPlanned: null,
    durationMs: 1000,
    ends: records,
    ...extra,
  };
}

describe('spread', () => {
  it('is the mean and the sample standard deviation (n - 1)', () => {
    const s = spread([0.8, 0.82, 0.84]);
    expect(s.mean).toBeCloseTo(0.82, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    expect(s.n).toBe(3);
    // Population std would be 1; the sample std of [1, 3] is sqrt(2).
    expect(spread([1, 3]).std).toBeCloseTo(Math.SQRT2, 12);
  });

  it('is 0 for one value and null for none', () => {
    expect(spread([0.7])).toEqual({ mean: 0.7, std: 0, n: 1 });
    expect(spread([])).toEqual({ mean: null, std: null, n: 0 });
  });
});

describe('firstReach', () => {
  const ends: TrialEndRecord[] = [
    { number: 0, state: 'complete', value: 0.5, stepsTrained: 50 },
    { number: 2, state: 'pruned', value: 0.85, stepsTrained: 60 },
    { number: 1, state: 'failed', value: null, stepsTrained: 100 },
    { number: 3, state: 'complete', value: 0.8, stepsTrained: 150 },
    { number: 4, state: 'complete', value: 0.81, stepsTrained: 200 },
  ];

  it('maximizing: the first complete trial with value >= best - 0.01, boundary included, pruned ones skipped', () => {
    expect(firstReach(ends, 0.81, 'maximize', 0.01)).toEqual({ trial: 3, steps: 150 });
    expect(firstReach(ends, 0.811, 'maximize', 0.01)).toEqual({ trial: 4, steps: 200 });
    expect(firstReach(ends, 0.9, 'maximize', 0.01)).toBeNull();
  });

  it('minimizing: the first complete trial with value <= best + 0.01', () => {
    const losses: TrialEndRecord[] = [
      { number: 0, state: 'complete', value: 0.5, stepsTrained: 10 },
      { number: 1, state: 'complete', value: 0.31, stepsTrained: 20 },
      { number: 2, state: 'complete', value: 0.3, stepsTrained: 30 },
    ];
    expect(firstReach(losses, 0.3, 'minimize', 0.01)).toEqual({ trial: 1, steps: 20 });
    expect(firstReach(losses, 0.299, 'minimize', 0.01)).toEqual({ trial: 2, steps: 30 });
    expect(firstReach(losses, 0.1, 'minimize', 0.01)).toBeNull();
    // A value better than the target counts too.
    expect(firstReach(losses, 0.6, 'minimize', 0.01)).toEqual({ trial: 0, steps: 10 });
  });

  it('ignores NaN values', () => {
    expect(firstReach([{ number: 0, state: 'complete', value: NaN, stepsTrained: 5 }], 0.5, 'maximize', 0.01)).toBeNull();
  });
});

describe('summarizeComparison', () => {
  // Seed 1: none trains 4 trials x 10 steps; its best is 0.9 (trial 3, after 40 steps).
  // asha reaches 0.895 after 12 steps (30% of 40); seed 2: asha reaches after 8 of 40 (20%).
  const runs: CompareRun[] = [
    run('none', 1, [['complete', 0.5, 10], ['complete', 0.7, 20], ['complete', 0.6, 30], ['complete', 0.9, 40]]),
    run('asha', 1, [['pruned', null, 2], ['complete', 0.895, 12], ['pruned', null, 14], ['pruned', null, 16]], { durationMs: 400 }),
    run('none', 2, [['complete', 0.8, 10], ['complete', 0.6, 20], ['complete', 0.7, 30], ['complete', 0.65, 40]]),
    run('asha', 2, [['complete', 0.795, 8], ['pruned', null, 10], ['pruned', null, 12], ['pruned', null, 14]], { durationMs: 600 }),
    run('median', 1, [['complete', 0.5, 10], ['pruned', null, 12], ['pruned', null, 14], ['complete', 0.85, 24]]),
    run('median', 2, [['complete', 0.6, 10], ['pruned', null, 12], ['pruned', null, 14], ['complete', 0.7, 24]]),
  ];
  const summary = summarizeComparison(runs, { direction: 'maximize' });
  const by = (name: string) => summary.strategies.find((s) => s.strategy === name)!;

  it('lists strategies in order of appearance, with the seeds', () => {
    expect(summary.strategies.map((s) => s.strategy)).toEqual(['none', 'asha', 'median']);
    expect(summary.seeds).toEqual([1, 2]);
    expect(summary).toMatchObject({ reference: 'none', tolerance: 0.01, targetFraction: 0.25 });
  });

  it('gives best as mean ± sample std, steps and their fraction of the reference, means of the counts', () => {
    const asha = by('asha');
    expect(asha.best.mean).toBeCloseTo(0.845, 12);
    expect(asha.best.std).toBeCloseTo(Math.sqrt(((0.895 - 0.845) ** 2 + (0.795 - 0.845) ** 2) / 1), 12);
    expect(asha.stepsTrained).toEqual({ mean: 15, fractionOfReference: 15 / 40 });
    expect(asha.durationMs.mean).toBe(500);
    expect(asha.pruned.mean).toBe(3);
    expect(by('none').stepsTrained).toEqual({ mean: 40, fractionOfReference: 1 });
  });

  it('measures steps to reach the same seed\'s reference best, and the 25% target per seed', () => {
    const asha = by('asha');
    expect(asha.seeds.map((s) => s.reached)).toEqual([
      { trial: 1, steps: 12 },
      { trial: 0, steps: 8 },
    ]);
    expect(asha.seeds.map((s) => s.referenceBest)).toEqual([0.9, 0.8]);
    expect(asha.seeds.map((s) => s.referenceSteps)).toEqual([40, 40]);
    expect(asha.stepsToReach).toEqual({ mean: 10, reached: 2, of: 2 });
    // 12 > 0.25 * 40 on seed 1, 8 <= 10 on seed 2.
    expect(asha.seeds.map((s) => s.metTarget)).toEqual([false, true]);
    expect(asha.target).toEqual({ met: 1, of: 2, all: false });
  });

  it('counts seeds where the best was never reached, and keeps the mean over the others', () => {
    const median = by('median');
    expect(median.seeds.map((s) => s.reached)).toEqual([null, null]);
    expect(median.stepsToReach).toEqual({ mean: null, reached: 0, of: 2 });
    expect(median.target).toEqual({ met: 0, of: 2, all: false });
  });

  it('measures the reference against itself, with no target', () => {
    const none = by('none');
    // Seed 1: its best comes last (40 steps); seed 2: first (10 steps).
    expect(none.seeds.map((s) => s.reached?.steps)).toEqual([40, 10]);
    expect(none.stepsToReach.mean).toBe(25);
    expect(none.target).toBeNull();
    expect(none.seeds.every((s) => s.metTarget === null)).toBe(true);
  });

  it('with one seed: std 0 and the target met when reached within 25%', () => {
    const one = summarizeComparison(
      [
        run('none', 7, [['complete', 0.2, 100], ['complete', 0.1, 200], ['complete', 0.3, 300], ['complete', 0.4, 400]], { best: 0.1 }),
        run('hyperband', 7, [['pruned', null, 30], ['complete', 0.1, 90], ['complete', 0.4, 100]], { best: 0.1 }),
      ],
      { direction: 'minimize' },
    );
    const hb = one.strategies[1]!;
    expect(hb.best).toEqual({ mean: 0.1, std: 0, n: 1 });
    expect(hb.seeds[0]!.referenceBest).toBe(0.1);
    expect(hb.seeds[0]!.reached).toEqual({ trial: 1, steps: 90 });
    expect(hb.target).toEqual({ met: 1, of: 1, all: true });
    expect(hb.stepsTrained.fractionOfReference).toBe(0.25);
  });

  it('without a complete reference trial nothing is reached', () => {
    const none = summarizeComparison(
      [run('none', 1, [['failed', null, 5]]), run('asha', 1, [['complete', 0.5, 3]])],
      { direction: 'maximize' },
    );
    expect(none.strategies[0]!.best).toEqual({ mean: null, std: null, n: 0 });
    expect(none.strategies[1]!.seeds[0]!.reached).toBeNull();
    expect(none.strategies[1]!.seeds[0]!.metTarget).toBe(false);
  });
});

describe('summarizeComparison with samplers', () => {
  // Seed 1: random none's best is 0.9 after 40 steps; seed 2: 0.8. TPE finds better points sooner.
  const full = (seed: number, values: number[], sampler: string) =>
    run('none', seed, values.map((v, i): [TrialEndRecord['state'], number, number] => ['complete', v, 10 * (i + 1)]), { sampler, study: `s.compare.${sampler}.none.s${seed}` });
  const runs: CompareRun[] = [
    full(1, [0.5, 0.7, 0.6, 0.9], 'random'),
    run('asha', 1, [['pruned', null, 2], ['complete', 0.895, 12], ['pruned', null, 14], ['pruned', null, 16]]),
    full(1, [0.5, 0.95, 0.92, 0.97], 'tpe'),
    run('asha', 1, [['complete', 0.6, 10], ['complete', 0.91, 14], ['pruned', null, 16], ['pruned', null, 18]], { sampler: 'tpe', study: 's.compare.tpe.asha.s1' }),
    full(2, [0.8, 0.6, 0.7, 0.65], 'random'),
    run('asha', 2, [['complete', 0.795, 8], ['pruned', null, 10], ['pruned', null, 12], ['pruned', null, 14]]),
    full(2, [0.6, 0.7, 0.85, 0.8], 'tpe'),
    run('asha', 2, [['complete', 0.7, 10], ['pruned', null, 12], ['complete', 0.75, 20], ['pruned', null, 22]], { sampler: 'tpe', study: 's.compare.tpe.asha.s2' }),
  ];
  const summary = summarizeComparison(runs, { direction: 'maximize' });
  const row = (sampler: string, strategy: string) => summary.strategies.find((s) => s.sampler === sampler && s.strategy === strategy)!;

  it('has one row per (sampler, strategy), grouped by sampler in the order they ran', () => {
    expect(summary.strategies.map((s) => [s.sampler, s.strategy])).toEqual([
      ['random', 'none'],
      ['random', 'asha'],
      ['tpe', 'none'],
      ['tpe', 'asha'],
    ]);
    expect(summary.samplers).toEqual(['random', 'tpe']);
    expect(summary).toMatchObject({ reference: 'none', referenceSampler: 'random', seeds: [1, 2] });
    expect(row('tpe', 'asha').seeds.map((s) => s.study)).toEqual(['s.compare.tpe.asha.s1', 's.compare.tpe.asha.s2']);
  });

  it("measures every row against the first sampler's none on the same seed", () => {
    const tpeNone = row('tpe', 'none');
    expect(tpeNone.seeds.map((s) => [s.referenceBest, s.referenceSteps])).toEqual([
      [0.9, 40],
      [0.8, 40],
    ]);
    // Seed 1: 0.95 >= 0.89 after 20 of 40 steps (50%: missed); seed 2: 0.85 after 30 (missed).
    expect(tpeNone.seeds.map((s) => s.reached)).toEqual([
      { trial: 1, steps: 20 },
      { trial: 2, steps: 30 },
    ]);
    expect(tpeNone.stepsTrained).toEqual({ mean: 40, fractionOfReference: 1 });
    expect(tpeNone.target).toEqual({ met: 0, of: 2, all: false });
    expect(tpeNone.best.mean).toBeCloseTo(0.91, 12);
    // tpe asha: seed 1 reaches 0.89 at 14 steps (> 10: missed), seed 2 never reaches 0.79.
    const tpeAsha = row('tpe', 'asha');
    expect(tpeAsha.seeds.map((s) => s.reached)).toEqual([{ trial: 1, steps: 14 }, null]);
    expect(tpeAsha.seeds.map((s) => s.fractionOfReference)).toEqual([18 / 40, 22 / 40]);
    expect(tpeAsha.stepsToReach).toEqual({ mean: 14, reached: 1, of: 2 });
    // Only the reference run itself has no target.
    expect(row('random', 'none').target).toBeNull();
    expect(row('random', 'asha').target).toEqual({ met: 1, of: 2, all: false });
  });

  it('takes another reference sampler when told, e.g. the second one\'s none', () => {
    const byTpe = summarizeComparison(runs, { direction: 'maximize', referenceSampler: 'tpe' });
    expect(byTpe.referenceSampler).toBe('tpe');
    const randomNone = byTpe.strategies.find((s) => s.sampler === 'random' && s.strategy === 'none')!;
    expect(randomNone.seeds.map((s) => s.referenceBest)).toEqual([0.97, 0.85]);
    expect(randomNone.target).not.toBeNull();
    expect(byTpe.strategies.find((s) => s.sampler === 'tpe' && s.strategy === 'none')!.target).toBeNull();
  });
});
