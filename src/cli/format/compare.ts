import type { PrunerSpec } from '../../space/pruner-spec.js';
import type { SearchSettings } from '../../space/types.js';
import type { CompareRun, ComparisonSummary, Spread, StrategySummary } from '../../compare/summary.js';
import { finiteOrNull, formatDuration, formatNumber } from '../../format/numbers.js';
import { renderTable, type Column } from './table.js';

export interface ComparisonMeta {
  space: string;
  study: string;
  db: string;
  metric: string;
  trials: number;
  workers: number;
  backends: string[];
  interrupted: boolean;
  /** Each strategy's pruner, by strategy name. */
  pruners: ReadonlyMap<string, PrunerSpec>;
  /** Each sampler's search settings, by sampler name (ComparisonResult.samplers). */
  searches?: ReadonlyMap<string, SearchSettings>;
}

export interface ComparisonTableOptions {
  /** A sampler column, and the reference named with its sampler (`vs random none`). Default: when the runs used more than one sampler. */
  sampler?: boolean;
}

/** The reference as the table names it: `none`, or `random none` when samplers are compared. */
function referenceName(summary: ComparisonSummary, sampler: boolean): string {
  return sampler && summary.referenceSampler !== null ? `${summary.referenceSampler} ${summary.reference}` : summary.reference;
}

/**
 * The table of an early-stopping study, one row per (sampler, strategy), and the lines that say
 * what its columns mean. `unit` names a step: `epochs` for built-in tasks, else `steps`.
 */
export function comparisonTable(summary: ComparisonSummary, metric: string, unit: 'epochs' | 'steps', options: ComparisonTableOptions = {}): string {
  const sampler = options.sampler ?? summary.samplers.length > 1;
  const reference = referenceName(summary, sampler);
  const percent = (fraction: number | null) => (fraction === null ? '-' : `${formatNumber(Math.round(fraction * 1000) / 10)}%`);
  const columns: Column[] = [
    ...(sampler ? [{ header: 'sampler' }] : []),
    { header: 'strategy' },
    { header: `best ${metric}`, align: 'right' },
    { header: `${unit}/seed`, align: 'right' },
    { header: `vs ${reference}`, align: 'right' },
    { header: 'wall time', align: 'right' },
    { header: 'pruned', align: 'right' },
    { header: 'stopped early', align: 'right' },
    { header: `${unit} to reach`, align: 'right' },
    { header: 'reached', align: 'right' },
    { header: `target`, align: 'right' },
  ];
  const referenceSteps =
    summary.strategies.find((s) => s.strategy === summary.reference && s.sampler === summary.referenceSampler)?.stepsTrained.mean ?? null;
  const rows = summary.strategies.map((s) => {
    const reach = s.stepsToReach.mean;
    const reachText = reach === null ? '-' : `${Math.round(reach)} (${percent(referenceSteps ? reach / referenceSteps : null)})`;
    return [
      ...(sampler ? [s.sampler] : []),
      s.strategy,
      formatSpread(s.best),
      String(Math.round(s.stepsTrained.mean)),
      percent(s.stepsTrained.fractionOfReference),
      formatDuration(s.durationMs.mean),
      formatNumber(round1(s.pruned.mean)),
      formatNumber(round1(s.stoppedEarly.mean)),
      reachText,
      `${s.stepsToReach.reached}/${s.stepsToReach.of}`,
      targetText(s),
    ];
  });
  const n = summary.seeds.length;
  const tolerance = formatNumber(summary.tolerance);
  const share = `${formatNumber(summary.targetFraction * 100)}%`;
  return [
    renderTable(columns, rows),
    '',
    `${n} seed${n === 1 ? '' : 's'} (${summary.seeds.join(', ')}); every column is a mean over seeds; best: mean ± sample standard deviation (0 for one seed)`,
    `${unit} to reach: ${unit} the run had trained when its first complete trial came within ${tolerance} of the same seed's ${reference} best (mean over the seeds where one did; % of ${reference}'s ${unit})`,
    `target: that within ${share} of ${reference}'s ${unit}, in every seed (seeds that met it / seeds)`,
  ].join('\n');
}

/**
 * One line per finished run, for progress on stderr; `reference` is the same seed's reference
 * run. With `sampler`, each run is named with its sampler (`tpe asha seed 7`).
 */
export function runLine(run: CompareRun, reference: CompareRun | undefined, metric: string, unit: 'epochs' | 'steps', options: ComparisonTableOptions = {}): string {
  const name = (r: CompareRun) => (options.sampler ? `${r.sampler} ${r.strategy}` : r.strategy);
  const share = reference && reference !== run && reference.stepsTrained > 0
    ? ` (${formatNumber(Math.round((run.stepsTrained / reference.stepsTrained) * 1000) / 10)}% of ${name(reference)})`
    : '';
  return (
    `${name(run)} seed ${run.seed}: best ${metric} ${formatNumber(run.best)}, ${run.stepsTrained} ${unit}${share}, ` +
    `${run.pruned} pruned, ${run.stoppedEarly} stopped early, ${run.failed} failed, ${formatDuration(run.durationMs)}`
  );
}

export function comparisonJson(summary: ComparisonSummary, meta: ComparisonMeta): unknown {
  return {
    space: meta.space,
    study: meta.study,
    db: meta.db,
    metric: meta.metric,
    direction: summary.direction,
    trials: meta.trials,
    workers: meta.workers,
    backends: meta.backends,
    seeds: summary.seeds,
    samplers: summary.samplers,
    reference: summary.reference,
    reference_sampler: summary.referenceSampler,
    tolerance: summary.tolerance,
    target_fraction: summary.targetFraction,
    interrupted: meta.interrupted,
    strategies: summary.strategies.map((s) => ({
      strategy: s.strategy,
      pruner: snakeKeys(meta.pruners.get(s.strategy) ?? null),
      sampler: s.sampler,
      search: snakeKeys(meta.searches?.get(s.sampler) ?? null),
      best: { mean: finiteOrNull(s.best.mean), std: finiteOrNull(s.best.std), n: s.best.n },
      steps_trained: { mean: s.stepsTrained.mean, fraction_of_reference: s.stepsTrained.fractionOfReference },
      duration_ms: { mean: s.durationMs.mean },
      pruned: { mean: s.pruned.mean },
      stopped_early: { mean: s.stoppedEarly.mean },
      failed: { mean: s.failed.mean },
      steps_to_reach: { mean: s.stepsToReach.mean, reached: s.stepsToReach.reached, of: s.stepsToReach.of },
      target: s.target,
      seeds: s.seeds.map((r) => ({
        seed: r.seed,
        study: r.study,
        best: finiteOrNull(r.best),
        trials: r.trials,
        pruned: r.pruned,
        stopped_early: r.stoppedEarly,
        failed: r.failed,
        steps_trained: r.stepsTrained,
        steps_planned: r.stepsPlanned,
        fraction_of_reference: r.fractionOfReference,
        duration_ms: r.durationMs,
        reference_best: finiteOrNull(r.referenceBest),
        reference_steps: r.referenceSteps,
        reached: r.reached,
        met_target: r.metTarget,
      })),
    })),
  };
}

function formatSpread(s: Spread): string {
  if (s.mean === null) return '-';
  return `${formatNumber(s.mean, 3)} ± ${formatNumber(s.std, 2)}`;
}

function targetText(s: StrategySummary): string {
  if (s.target === null) return '-';
  return `${s.target.all ? 'met' : 'missed'} ${s.target.met}/${s.target.of}`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** `{ minResource: 1 }` → `{ min_resource: 1 }`, as the space file spells pruner and search settings. */
function snakeKeys(spec: PrunerSpec | SearchSettings | null): Record<string, unknown> | null {
  if (spec === null) return null;
  return Object.fromEntries(Object.entries(spec).map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value]));
}
