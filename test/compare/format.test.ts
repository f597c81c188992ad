import { describe, expect, it } from 'vitest';
import { summarizeComparison, type CompareRun } from '../../src/compare/summary.js';
import { comparisonJson, comparisonTable, runLine } from '../../src/cli/format/compare.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import type { SearchSettings } from '../../src/space/types.js';

function run(strategy: string, seed: number, best: number | null, stepsTrained: number, reachedAt: number, pruned = 0, sampler = 'random'): CompareRun {
  return {
    sampler,
    strategy,
    seed,
    study: sampler === 'random' ? `s.compare.${strategy}.s${seed}` : `s.compare.${sampler}.${strategy}.s${seed}`,
    best,
    trials: 10,
    pruned,
    stoppedEarly: 1,
    failed: 0,
    stepsTrained,
    stepsPlanned: 5000,
    durationMs: 12_345,
    ends: best === null ? [] : [{ number: 3, state: 'complete', value: best, stepsTrained: reachedAt }],
  };
}

const runs = [
  run('none', 42, 0.81, 5000, 3000),
  run('asha', 42, 0.805, 900, 700, 80),
  run('none', 43, 0.79, 5000, 1000),
  run('asha', 43, 0.77, 1000, 700, 85),
];
const summary = summarizeComparison(runs, { direction: 'maximize' });

describe('comparisonTable', () => {
  it('has one row per strategy with means, the share of none, steps to reach and the target', () => {
    const lines = comparisonTable(summary, 'val_accuracy', 'epochs').split('\n');
    expect(lines[0]).toMatch(/^strategy\s+best val_accuracy\s+epochs\/seed\s+vs none\s+wall time\s+pruned\s+stopped early\s+epochs to reach\s+reached\s+target$/);
    expect(lines[2]).toMatch(/^none\s+0\.8 ± 0\.014\s+5000\s+100%\s+12\.3s\s+0\s+1\s+2000 \(40%\)\s+2\/2\s+-$/);
    expect(lines[3]).toMatch(/^asha\s+0\.788 ± 0\.025\s+950\s+19%\s+12\.3s\s+82\.5\s+1\s+700 \(14%\)\s+1\/2\s+missed 1\/2$/);
    expect(lines.slice(4).join('\n')).toMatch(/2 seeds \(42, 43\).*sample standard deviation/s);
    expect(lines.join('\n')).toMatch(/within 0\.01 of the same seed's none best/);
  });

  it('says steps, not epochs, for module objectives', () => {
    expect(comparisonTable(summary, 'value', 'steps').split('\n')[0]).toMatch(/steps\/seed.*steps to reach/);
  });

  it('with samplers: a sampler column, rows grouped per sampler, all measured against the first sampler\'s none', () => {
    const both = summarizeComparison(
      [
        runs[0]!,
        runs[1]!,
        run('none', 42, 0.83, 5000, 1000, 0, 'tpe'),
        run('asha', 42, 0.82, 1200, 600, 70, 'tpe'),
        runs[2]!,
        runs[3]!,
        run('none', 43, 0.8, 5000, 2500, 0, 'tpe'),
        run('asha', 43, 0.79, 1000, 500, 75, 'tpe'),
      ],
      { direction: 'maximize' },
    );
    const lines = comparisonTable(both, 'val_accuracy', 'epochs', { sampler: true }).split('\n');
    expect(lines[0]).toMatch(/^sampler\s+strategy\s+best val_accuracy\s+epochs\/seed\s+vs random none\s+wall time\s+pruned\s+stopped early\s+epochs to reach\s+reached\s+target$/);
    expect(lines.slice(2, 6).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual(['random none', 'random asha', 'tpe none', 'tpe asha']);
    expect(lines[2]).toMatch(/^random\s+none\s+0\.8 ± 0\.014\s+5000\s+100%\s+.*\s+-$/);
    // tpe none trains as many epochs as random none, and reaches its best after 1000 and 2500 of 5000.
    expect(lines[4]).toMatch(/^tpe\s+none\s+0\.815 ± 0\.021\s+5000\s+100%\s+12\.3s\s+0\s+1\s+1750 \(35%\)\s+2\/2\s+missed 1\/2$/);
    expect(lines[5]).toMatch(/^tpe\s+asha\s+0\.805 ± 0\.021\s+1100\s+22%\s+.*\s+550 \(11%\)\s+2\/2\s+met 2\/2$/);
    expect(lines.join('\n')).toMatch(/within 0\.01 of the same seed's random none best/);
    // Left to itself the table shows the column because the runs used two samplers; one sampler: none.
    expect(comparisonTable(both, 'val_accuracy', 'epochs')).toBe(lines.join('\n'));
    expect(comparisonTable(summary, 'val_accuracy', 'epochs').split('\n')[0]).toMatch(/^strategy /);
  });
});

describe('comparisonJson', () => {
  it('holds per-strategy aggregates and per-seed raw numbers, in snake_case', () => {
    const doc = comparisonJson(summary, {
      space: '/abs/space.yaml',
      study: 's',
      db: 'runs/compare/s.db',
      metric: 'val_accuracy',
      trials: 10,
      workers: 2,
      backends: ['wasm'],
      interrupted: false,
      pruners: new Map([
        ['none', { type: 'none' }],
        ['asha', { type: 'successive_halving', minResource: 1, reductionFactor: 3, maxResource: 50, minEarlyStoppingRate: 0, bootstrapCount: 0 }],
      ]),
    }) as Record<string, unknown>;
    expect(doc).toMatchObject({ seeds: [42, 43], samplers: ['random'], reference: 'none', reference_sampler: 'random', tolerance: 0.01, target_fraction: 0.25, trials: 10 });
    const [none, asha] = doc['strategies'] as Record<string, unknown>[];
    expect(none).toMatchObject({ strategy: 'none', pruner: { type: 'none' }, sampler: 'random', search: null, target: null });
    expect(asha).toMatchObject({
      strategy: 'asha',
      pruner: { type: 'successive_halving', min_resource: 1, reduction_factor: 3, max_resource: 50 },
      steps_trained: { mean: 950, fraction_of_reference: 0.19 },
      steps_to_reach: { mean: 700, reached: 1, of: 2 },
      target: { met: 1, of: 2, all: false },
    });
    const seeds = asha!['seeds'] as Record<string, unknown>[];
    expect(seeds[0]).toEqual({
      seed: 42,
      study: 's.compare.asha.s42',
      best: 0.805,
      trials: 10,
      pruned: 80,
      stopped_early: 1,
      failed: 0,
      steps_trained: 900,
      steps_planned: 5000,
      fraction_of_reference: 0.18,
      duration_ms: 12_345,
      reference_best: 0.81,
      reference_steps: 5000,
      reached: { trial: 3, steps: 700 },
      met_target: true,
    });
    expect(seeds[1]!['reached']).toBeNull();
  });

  it("names each row's sampler and its search settings, in snake_case", () => {
    const both = summarizeComparison([runs[0]!, run('none', 42, 0.82, 5000, 900, 0, 'tpe')], { direction: 'maximize' });
    const doc = comparisonJson(both, {
      space: '/abs/space.yaml',
      study: 's',
      db: 'x.db',
      metric: 'val_accuracy',
      trials: 10,
      workers: 1,
      backends: [],
      interrupted: false,
      pruners: new Map([['none', { type: 'none' }]]),
      searches: new Map<string, SearchSettings>([
        ['random', { strategy: 'random', trials: 10 }],
        ['tpe', { strategy: 'tpe', trials: 10, ...TPE_DEFAULTS, startupTrials: 3 }],
      ]),
    }) as Record<string, unknown>;
    expect(doc).toMatchObject({ samplers: ['random', 'tpe'], reference: 'none', reference_sampler: 'random' });
    const rows = doc['strategies'] as Record<string, unknown>[];
    expect(rows.map((r) => [r['sampler'], r['strategy']])).toEqual([['random', 'none'], ['tpe', 'none']]);
    expect(rows[0]!['search']).toEqual({ strategy: 'random', trials: 10 });
    expect(rows[1]!['search']).toMatchObject({ strategy: 'tpe', trials: 10, startup_trials: 3, ei_candidates: 24, constant_liar: true });
    expect(rows[1]).toMatchObject({ target: { met: 1, of: 1, all: true } });
    expect((rows[1]!['seeds'] as Record<string, unknown>[])[0]).toMatchObject({ study: 's.compare.tpe.none.s42', reference_best: 0.81, fraction_of_reference: 1 });
  });
});

describe('runLine', () => {
  it('names the run and its share of the same seed\'s reference', () => {
    expect(runLine(runs[1]!, runs[0], 'val_accuracy', 'epochs')).toBe(
      'asha seed 42: best val_accuracy 0.805, 900 epochs (18% of none), 80 pruned, 1 stopped early, 0 failed, 12.3s',
    );
    expect(runLine(runs[0]!, runs[0], 'val_accuracy', 'epochs')).toMatch(/^none seed 42: best val_accuracy 0\.81, 5000 epochs, 0 pruned/);
  });

  it('names the sampler too when samplers are compared', () => {
    expect(runLine(run('asha', 42, 0.8, 1000, 500, 70, 'tpe'), runs[0], 'val_accuracy', 'epochs', { sampler: true })).toMatch(
      /^tpe asha seed 42: best val_accuracy 0\.8, 1000 epochs \(20% of random none\), 70 pruned/,
    );
  });
});
