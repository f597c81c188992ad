import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy } from '../../src/index.js';
import { rngFor, type Rng } from '../../src/random/rng.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/storage.js';
import { measureOptunaSynthetic, type OptunaSampler, type OptunaSynthetic } from '../reference/optuna-tpe-synthetic.js';
import { median, type BenchRow, type Reference } from '../report.js';
import { CHECK_POINTS, SYNTHETIC_FUNCTIONS, SYNTHETIC_PARAMS, toPoint, type SyntheticFunction } from './tpe-functions.js';

const TRIALS = 60;
/** The 10 seeds; HPSEARCH_BENCH_TPE_SEEDS=40 for a verdict the seed noise does not swamp (about 4× the time). */
const SEEDS = seedCount(process.env['HPSEARCH_BENCH_TPE_SEEDS']);

function seedCount(text: string | undefined): number {
  if (text === undefined || text === '') return 10;
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 2) throw new Error(`HPSEARCH_BENCH_TPE_SEEDS must be an integer >= 2, got "${text}"`);
  return count;
}
/** hpsearch's TPE may trail Optuna's TPE by this share of the spread between Optuna's TPE and random search. */
const ALLOWED_SHARE = 0.1;
/** Bootstrap resamples of the seeds, for how much of a verdict the seed count can carry. */
const BOOTSTRAP = 2000;
/** How far the TS and Python functions may differ at a check point: libm's last bits, no more. */
const CHECK_TOLERANCE = 1e-12;

/** The three hpsearch samplers, each held to its Optuna counterpart. */
const HPSEARCH_SAMPLERS = {
  tpe: { search: { strategy: 'tpe', trials: TRIALS, multivariate: false }, label: 'TPE univariate', optuna: 'tpe' },
  'tpe-multivariate': { search: { strategy: 'tpe', trials: TRIALS, multivariate: true }, label: 'TPE multivariate', optuna: 'tpe-multivariate' },
  random: { search: { strategy: 'random', trials: TRIALS }, label: 'random', optuna: 'random' },
} as const satisfies Record<string, { search: Record<string, unknown>; label: string; optuna: OptunaSampler }>;
type HpsearchSampler = keyof typeof HPSEARCH_SAMPLERS;
const TPE_VARIANTS = ['tpe', 'tpe-multivariate'] as const satisfies readonly HpsearchSampler[];

const OPTUNA_LABELS: Record<OptunaSampler, string> = {
  tpe: 'TPESampler()',
  'tpe-multivariate': 'TPESampler(multivariate=True)',
  random: 'RandomSampler()',
};

/** The best value each seed's study found, by function and sampler. */
type Bests<S extends string> = Map<string, Record<S, number[]>>;

/**
 * Issue 15's sample-efficiency target on synthetic functions of the HPO kind (tpe-functions.ts):
 * 60 trials, seeds 1..10, minimised, for hpsearch's TPE (univariate and multivariate) and random
 * search, and in the same run Optuna 3.1's TPESampler (defaults; and multivariate=True) and
 * RandomSampler (bench/reference/tpe_synthetic.py). hpsearch runs through the library with a
 * function objective on one worker (deterministic), every study with its own name and seed, in
 * one SQLite file. Target, per function: hpsearch TPE's median best <= Optuna TPE's median best
 * + 10% of (Optuna random's median best - Optuna TPE's median best), i.e. the row
 * (hpsearch TPE - Optuna TPE) / (Optuna random - Optuna TPE) <= 0.1. Both of hpsearch's TPE
 * variants are held to Optuna's default (univariate) TPE, the one the target names; the
 * multivariate row's reference cell is Optuna's multivariate TPE, like for like.
 */
export async function tpeSynthetic(): Promise<BenchRow[]> {
  // The Python reference and hpsearch's studies run side by side: what is measured is the
  // values found, not time, and the bench has two cores.
  const optunaRun = measureOptunaSynthetic(CHECK_POINTS, TRIALS, SEEDS);
  const started = performance.now();
  const hpsearch = await runHpsearch();
  const hpsearchSeconds = (performance.now() - started) / 1000;
  const optuna = await optunaRun;
  if (optuna.measured) checkDefinitionsAgree(optuna.checks);

  const optunaBests = optuna.measured ? optunaBestsOf(optuna) : null;
  process.stderr.write(`\n${resultTable(hpsearch, optunaBests)}\n\n`);
  const rows: BenchRow[] = [];
  for (const fn of SYNTHETIC_FUNCTIONS) rows.push(...functionRows(fn.name, hpsearch.get(fn.name)!, optuna, optunaBests?.get(fn.name)));
  rows.push({
    name: `tpe synthetic: hpsearch's ${SYNTHETIC_FUNCTIONS.length * 3 * SEEDS} studies of ${TRIALS} trials (wall time)`,
    median: hpsearchSeconds,
    unit: 's',
    samples: [hpsearchSeconds],
    notes: 'function objective on the main thread, 1 worker, one SQLite file',
  });
  return rows;
}

async function runHpsearch(): Promise<Bests<HpsearchSampler>> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  const storage = await openStorage(join(dir, 'synthetic.db'));
  try {
    const bests: Bests<HpsearchSampler> = new Map();
    for (const fn of SYNTHETIC_FUNCTIONS) {
      const byName = { tpe: [], 'tpe-multivariate': [], random: [] } as Record<HpsearchSampler, number[]>;
      for (const sampler of Object.keys(HPSEARCH_SAMPLERS) as HpsearchSampler[]) {
        for (let seed = 1; seed <= SEEDS; seed++) byName[sampler].push(await bestOf(storage, fn, sampler, seed));
        process.stderr.write(`  hpsearch ${fn.name} ${sampler}: median best ${median(byName[sampler]).toPrecision(4)}\n`);
      }
      bests.set(fn.name, byName);
    }
    return bests;
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bestOf(storage: Storage, fn: SyntheticFunction, sampler: HpsearchSampler, seed: number): Promise<number> {
  const study = await createStudy({
    name: `${fn.name}-${sampler}-seed${seed}`,
    storage,
    direction: 'minimize',
    seed,
    search: HPSEARCH_SAMPLERS[sampler].search,
    params: SYNTHETIC_PARAMS,
  });
  try {
    const summary = await study.optimize((params) => fn.evaluate(toPoint(params)), { workers: 1 });
    if (summary.ran !== TRIALS || summary.failed !== 0) throw new Error(`${study.name}: ran ${summary.ran} trials, ${summary.failed} failed; expected ${TRIALS}`);
    const values = (await study.trials()).flatMap((t) => (t.state === 'complete' && t.value !== null ? [t.value] : []));
    if (values.length !== TRIALS) throw new Error(`${study.name}: ${values.length} complete trials with a value, expected ${TRIALS}`);
    return Math.min(...values);
  } finally {
    await study.close();
  }
}

/** Stops the bench when the TS and Python copies of a function differ anywhere on CHECK_POINTS. */
function checkDefinitionsAgree(checks: Record<string, number[]>): void {
  const problems: string[] = [];
  for (const fn of SYNTHETIC_FUNCTIONS) {
    const python = checks[fn.name];
    if (python === undefined || python.length !== CHECK_POINTS.length) {
      problems.push(`${fn.name}: tpe_synthetic.py returned ${python?.length ?? 'no'} values for ${CHECK_POINTS.length} points`);
      continue;
    }
    CHECK_POINTS.forEach((point, i) => {
      const ours = fn.evaluate(point);
      if (!(Math.abs(ours - python[i]) <= CHECK_TOLERANCE * Math.max(1, Math.abs(ours)))) {
        problems.push(`${fn.name} at ${JSON.stringify(point)}: TypeScript ${ours}, Python ${python[i]}`);
      }
    });
  }
  if (problems.length > 0) {
    throw new Error(`the synthetic functions of bench/cases/tpe-functions.ts and bench/reference/tpe_synthetic.py disagree:\n  ${problems.join('\n  ')}`);
  }
  process.stderr.write(`  the TypeScript and Python functions agree at all ${CHECK_POINTS.length} check points (${SYNTHETIC_FUNCTIONS.length} functions)\n`);
}

function optunaBestsOf(optuna: Extract<OptunaSynthetic, { measured: true }>): Bests<OptunaSampler> {
  const bests: Bests<OptunaSampler> = new Map();
  for (const fn of SYNTHETIC_FUNCTIONS) {
    const of = (sampler: OptunaSampler) => {
      const run = optuna.runs.find((r) => r.function === fn.name && r.sampler === sampler);
      if (run === undefined || run.best.length !== SEEDS) throw new Error(`tpe_synthetic.py: no ${SEEDS}-seed run of ${sampler} on ${fn.name}`);
      return run.best;
    };
    bests.set(fn.name, { tpe: of('tpe'), 'tpe-multivariate': of('tpe-multivariate'), random: of('random') });
  }
  return bests;
}

/**
 * (hpsearch TPE - Optuna TPE) / (Optuna random - Optuna TPE), of the medians: <= 0.1 passes.
 * When Optuna's TPE did no better than its random search the spread is not positive; then
 * anything worse than Optuna's TPE is Infinity, and anything as good 0.
 */
export function spreadShare(hpsearchTpe: number, optunaTpe: number, optunaRandom: number): number {
  const spread = optunaRandom - optunaTpe;
  if (spread > 0) return (hpsearchTpe - optunaTpe) / spread;
  return hpsearchTpe <= optunaTpe ? 0 : Number.POSITIVE_INFINITY;
}

function functionRows(name: string, ours: Record<HpsearchSampler, number[]>, optuna: OptunaSynthetic, theirs: Record<OptunaSampler, number[]> | undefined): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const sampler of Object.keys(HPSEARCH_SAMPLERS) as HpsearchSampler[]) {
    const { label, optuna: counterpart } = HPSEARCH_SAMPLERS[sampler];
    rows.push({
      name: `tpe synthetic ${name}: hpsearch ${label}, median best of ${SEEDS} seeds x ${TRIALS} trials (min)`,
      median: median(ours[sampler]),
      unit: 'value',
      samples: ours[sampler],
      reference: optunaReference(optuna, theirs, counterpart),
    });
  }
  if (theirs === undefined) return rows;
  const optunaTpe = median(theirs.tpe);
  const optunaRandom = median(theirs.random);
  for (const sampler of TPE_VARIANTS) {
    const share = spreadShare(median(ours[sampler]), optunaTpe, optunaRandom);
    const [low, high] = bootstrapShare(ours[sampler], theirs.tpe, theirs.random, `${name}:${sampler}`);
    rows.push({
      name: `  issue 15 target, ${name}, ${HPSEARCH_SAMPLERS[sampler].label}: (hpsearch TPE - Optuna TPE) / (Optuna random - Optuna TPE)`,
      median: share,
      unit: 'ratio',
      samples: [median(ours[sampler]), optunaTpe, optunaRandom],
      target: ALLOWED_SHARE,
      notes: `${share <= ALLOWED_SHARE ? 'PASS' : 'FAIL'}: median best ${format(median(ours[sampler]))} vs allowed <= ${format(allowedBest(optunaTpe, optunaRandom))} (Optuna TPE ${format(optunaTpe)}, random ${format(optunaRandom)}); seed bootstrap 90% interval of the ratio [${low.toFixed(2)}, ${high.toFixed(2)}]`,
    });
  }
  return rows;
}

/**
 * The spread share's 5th and 95th percentiles when the seeds of each of the three samplers are
 * resampled with replacement (a fixed stream, so the same on every run): with 10 seeds the
 * medians move by more than the 10% allowance, and this says how far.
 */
export function bootstrapShare(hpsearchTpe: readonly number[], optunaTpe: readonly number[], optunaRandom: readonly number[], key: string): [number, number] {
  const rng = rngFor('bench', 'tpe-synthetic', key);
  const shares: number[] = [];
  for (let b = 0; b < BOOTSTRAP; b++) {
    shares.push(spreadShare(median(resample(hpsearchTpe, rng)), median(resample(optunaTpe, rng)), median(resample(optunaRandom, rng))));
  }
  shares.sort((a, b) => a - b);
  return [shares[Math.floor(0.05 * BOOTSTRAP)], shares[Math.floor(0.95 * BOOTSTRAP)]];
}

function resample(values: readonly number[], rng: Rng): number[] {
  return values.map(() => values[Math.floor(rng() * values.length)]);
}

function allowedBest(optunaTpe: number, optunaRandom: number): number {
  return optunaTpe + ALLOWED_SHARE * Math.max(0, optunaRandom - optunaTpe);
}

function optunaReference(optuna: OptunaSynthetic, theirs: Record<OptunaSampler, number[]> | undefined, sampler: OptunaSampler): Reference {
  const label = `Optuna's ${OPTUNA_LABELS[sampler]} median best`;
  if (!optuna.measured || theirs === undefined) return { label, measured: false, reason: optuna.measured ? 'no runs' : optuna.reason };
  return {
    label: `Optuna ${optuna.optuna}'s ${OPTUNA_LABELS[sampler]} median best`,
    value: median(theirs[sampler]),
    unit: 'value',
    measured: true,
    samples: theirs[sampler],
    details: { python: optuna.python, optuna: optuna.optuna, sampler: OPTUNA_LABELS[sampler], trials: TRIALS, seeds: SEEDS },
  };
}

/** The per-function table, PASS/FAIL for each TPE variant against Optuna's default TPE. */
function resultTable(ours: Bests<HpsearchSampler>, theirs: Bests<OptunaSampler> | null): string {
  const header = ['function', 'hp TPE uni', 'hp TPE multi', 'hp random', 'Optuna TPE', 'Optuna TPE multi', 'Optuna random', 'allowed <=', 'uni', 'multi', 'uni ratio (90%)', 'multi ratio (90%)'];
  const lines = SYNTHETIC_FUNCTIONS.map((fn) => {
    const o = ours.get(fn.name)!;
    const t = theirs?.get(fn.name);
    const cells = [fn.name, format(median(o.tpe)), format(median(o['tpe-multivariate'])), format(median(o.random))];
    if (t === undefined) return [...cells, '-', '-', '-', '-', '-', '-', '-', '-'];
    const allowed = allowedBest(median(t.tpe), median(t.random));
    const share = (sampler: (typeof TPE_VARIANTS)[number]) => spreadShare(median(o[sampler]), median(t.tpe), median(t.random));
    const verdict = (sampler: (typeof TPE_VARIANTS)[number]) => (share(sampler) <= ALLOWED_SHARE ? 'PASS' : 'FAIL');
    const interval = (sampler: (typeof TPE_VARIANTS)[number]) => {
      const [low, high] = bootstrapShare(o[sampler], t.tpe, t.random, `${fn.name}:${sampler}`);
      return `${share(sampler).toFixed(2)} [${low.toFixed(2)}, ${high.toFixed(2)}]`;
    };
    return [
      ...cells,
      format(median(t.tpe)),
      format(median(t['tpe-multivariate'])),
      format(median(t.random)),
      format(allowed),
      verdict('tpe'),
      verdict('tpe-multivariate'),
      interval('tpe'),
      interval('tpe-multivariate'),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `median best over seeds 1..${SEEDS}, ${TRIALS} trials each, minimised; PASS: hpsearch TPE <= Optuna TPE + ${ALLOWED_SHARE} x (Optuna random - Optuna TPE)`,
    `ratio: (hpsearch TPE - Optuna TPE) / (Optuna random - Optuna TPE), <= ${ALLOWED_SHARE} passes; in brackets its 90% interval when the seeds are resampled`,
    render(header),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...lines.map(render),
  ].join('\n');
}

function format(x: number): string {
  return x.toPrecision(4);
}
