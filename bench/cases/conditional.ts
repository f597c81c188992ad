import { rngFor } from '../../src/random/rng.js';
import { GridSampler } from '../../src/samplers/grid.js';
import { RandomSampler } from '../../src/samplers/random.js';
import type { PastTrial } from '../../src/samplers/sampler.js';
import { TpeSampler } from '../../src/samplers/tpe/tpe.js';
import { TPE_DEFAULTS } from '../../src/space/schema.js';
import type { ParamSpecs, TpeSearch } from '../../src/space/types.js';
import { measureOptunaConditional, optunaConditionalReference } from '../reference/optuna-conditional-cost.js';
import { median, type BenchRow, type MeasuredReference } from '../report.js';
import {
  askBranch,
  benchSpace,
  buildHistories,
  CONDITIONAL_GRID_PARAMS,
  CONDITIONAL_PARAMS,
  FLAT_GRID_PARAMS,
  FLAT_PARAMS,
  pastTrials,
} from './conditional-space.js';

const SEED = 7;
const HISTORY = 1000;
const REPEATS = 7;
/** Calls per timed batch: enough for a batch to take tens of milliseconds. */
const TPE_CALLS = 20;
const RANDOM_CALLS = 2000;
const GRID_CALLS = 20_000;
/** Grid indices step by a prime coprime to both grid sizes, so a batch spreads over the listing. */
const GRID_STRIDE = 7919;
const OPTUNA_TRIALS = 100;
const OPTUNA_REPEATS = 3;
const NO_HISTORY = async (): Promise<readonly PastTrial[]> => [];

/**
 * Issue 16's conditional params (`when:`): what they cost each sampler, as ratios to the same
 * sampler over the same params with no `when:` (the flat space, every param in every trial),
 * measured in the same run. Library level: samplers are called directly, the history in memory as
 * `PastTrial[]` (as tpe-sampler-cost's measureParts does), so storage and the engine are left out.
 * The space and its 1,000-trial histories are bench/cases/conditional-space.ts's.
 *
 * - TPE `sample()` with 1,000 finished trials, univariate and multivariate, conditional / flat;
 *   and against Optuna 3.1's TPESampler on an in-memory study of the same trials (ask, the
 *   branch's define-by-run suggest calls, tell), which also pays for its study's bookkeeping.
 * - Random `sample()`: each param from a stream of its own (a seedrandom per active param).
 * - TPE `suggest()` (define-by-run) per asked param, against a declared draw per param.
 * - Grid `sample()` over a conditional grid (a tree) and a product grid of about 100,000 points.
 *
 * Configs of a group take turns within each repeat (reversed every other one) after an untimed
 * batch each, so drift on the machine hits them alike. No targets: the issue set none.
 */
export async function conditionalCost(): Promise<BenchRow[]> {
  const histories = buildHistories(SEED, HISTORY);
  const conditional = pastTrials(histories.conditional);
  const flat = pastTrials(histories.flat);

  process.stderr.write('  tpe sample() and suggest()...\n');
  const draws = {
    conditionalUni: tpeDraws(CONDITIONAL_PARAMS, conditional, false),
    conditionalMulti: tpeDraws(CONDITIONAL_PARAMS, conditional, true),
    flatUni: tpeDraws(FLAT_PARAMS, flat, false),
    flatMulti: tpeDraws(FLAT_PARAMS, flat, true),
  };
  const asked = tpeSuggests(conditional);
  const tpe = await timeTurns({ ...mapValues(draws, (d) => d.call), suggest: asked.call }, TPE_CALLS);
  const paramsPerDraw = draws.conditionalUni.params() / draws.conditionalUni.draws();

  process.stderr.write('  random sample()...\n');
  const random = await timeTurns(
    {
      conditional: randomDraws(CONDITIONAL_PARAMS),
      flat: randomDraws(FLAT_PARAMS),
      stream: oneStream(),
    },
    RANDOM_CALLS,
  );

  process.stderr.write('  grid sample()...\n');
  const grids = { conditional: gridDraws(CONDITIONAL_GRID_PARAMS), flat: gridDraws(FLAT_GRID_PARAMS) };
  const grid = await timeTurns(mapValues(grids, (g) => g.call), GRID_CALLS);

  process.stderr.write('  optuna...\n');
  const optuna = await measureOptunaConditional(histories, OPTUNA_TRIALS, OPTUNA_REPEATS);

  const history = `${HISTORY.toLocaleString('en')} trials in memory`;
  const micro = (samples: number[]) => samples.map((ms) => ms * 1000);
  const gridSize = (g: { capacity: number }) => g.capacity.toLocaleString('en');
  return [
    row(`conditional: TPE sample(), univariate, ${history}, conditional space`, tpe.conditionalUni, 'ms/trial', {
      reference: measured('the same TPE over the flat space (no when:, all 7 params in every trial)', tpe.flatUni, 'ms/trial'),
      notes: `${paramsPerDraw.toFixed(2)} active params per draw on average, against 7`,
    }),
    row(`  the same, multivariate (a group per chain of conditions)`, tpe.conditionalMulti, 'ms/trial', {
      reference: measured('the same multivariate TPE over the flat space (one group)', tpe.flatMulti, 'ms/trial'),
    }),
    row(`  conditional, univariate, against Optuna on the same ${HISTORY.toLocaleString('en')} trials`, tpe.conditionalUni, 'ms/trial', {
      reference: optunaConditionalReference(optuna, 'conditional', 'univariate'),
      notes: "hpsearch's figure is the draw alone; Optuna's also has the in-memory study's ask and tell (see details: RandomSampler's same loop)",
    }),
    row(`  conditional, multivariate, against Optuna`, tpe.conditionalMulti, 'ms/trial', {
      reference: optunaConditionalReference(optuna, 'conditional', 'multivariate'),
    }),
    row(`  flat, univariate, against Optuna (for scale)`, tpe.flatUni, 'ms/trial', {
      reference: optunaConditionalReference(optuna, 'flat', 'univariate'),
    }),
    row(`  flat, multivariate, against Optuna (for scale)`, tpe.flatMulti, 'ms/trial', {
      reference: optunaConditionalReference(optuna, 'flat', 'multivariate'),
    }),
    row(`conditional: TPE suggest() (define-by-run), per asked param, ${history}`, tpe.suggest, 'ms/param', {
      reference: measured(
        `the declared univariate sample() per param drawn (${paramsPerDraw.toFixed(2)} per trial)`,
        tpe.conditionalUni.map((ms) => ms / paramsPerDraw),
        'ms/param',
      ),
      notes: `${(asked.params() / asked.trials()).toFixed(2)} params asked per trial on average; each suggest() splits the history and fits its param anew`,
    }),
    row(`conditional: random sample(), conditional space`, micro(random.conditional), 'µs/trial', {
      reference: measured('random over the flat space', micro(random.flat), 'µs/trial'),
      notes: 'every param has a stream of its own in both spaces; the conditional one draws 4.5 of 7 on average',
    }),
    row(`  one param's stream: rngFor(seed, stream, index, name) and a draw (for scale)`, micro(random.stream), 'µs', {}),
    row(`conditional: grid sample() per point, conditional grid (a tree of ${gridSize(grids.conditional)} points)`, micro(grid.conditional), 'µs/point', {
      reference: measured(`a product grid of ${gridSize(grids.flat)} points over the same 7 params`, micro(grid.flat), 'µs/point'),
    }),
  ];
}

/** Per config, one time per unit of work (a draw, an asked param) for each of `REPEATS` batches of `calls` calls. */
async function timeTurns<K extends string>(configs: Record<K, () => Promise<number>>, calls: number): Promise<Record<K, number[]>> {
  const names = Object.keys(configs) as K[];
  const batch = async (name: K) => {
    let units = 0;
    const started = performance.now();
    for (let i = 0; i < calls; i++) units += await configs[name]();
    return (performance.now() - started) / units;
  };
  for (const name of names) await batch(name);
  const samples = mapValues(configs, (): number[] => []);
  for (let r = 0; r < REPEATS; r++) {
    for (const name of r % 2 === 0 ? names : [...names].reverse()) samples[name].push(await batch(name));
  }
  return samples;
}

interface Counted {
  /** One call; resolves to the units of work it did. */
  call: () => Promise<number>;
}

function tpeSearch(multivariate: boolean): TpeSearch {
  return { strategy: 'tpe', trials: HISTORY * 2, ...TPE_DEFAULTS, multivariate };
}

/** TPE draws of trial `HISTORY` (a new index each call) with `trials` as the history. */
function tpeDraws(params: ParamSpecs, trials: readonly PastTrial[], multivariate: boolean): Counted & { draws(): number; params(): number } {
  const sampler = new TpeSampler(benchSpace(params, tpeSearch(multivariate), SEED));
  const history = async () => trials;
  let index = HISTORY;
  let drawn = 0;
  return {
    call: async () => {
      const sample = await sampler.sample({ index: index++, number: HISTORY, history });
      drawn += Object.keys(sample.params).length;
      return 1;
    },
    draws: () => index - HISTORY,
    params: () => drawn,
  };
}

/**
 * Define-by-run trials over the conditional space with nothing declared: a call is one trial
 * asking its branch's params (askBranch) of TPE's `suggest()`; it counts the params asked.
 */
function tpeSuggests(trials: readonly PastTrial[]): Counted & { trials(): number; params(): number } {
  const sampler = new TpeSampler(benchSpace({}, tpeSearch(false), SEED));
  const history = async () => trials;
  let index = HISTORY;
  let asked = 0;
  return {
    call: async () => {
      const trial = index++;
      const params = await askBranch((name, spec, decided) => sampler.suggest({ index: trial, number: HISTORY, enqueued: false, name, spec, params: decided, history }));
      const count = Object.keys(params).length;
      asked += count;
      return count;
    },
    trials: () => index - HISTORY,
    params: () => asked,
  };
}

function randomDraws(params: ParamSpecs): () => Promise<number> {
  const sampler = new RandomSampler(benchSpace(params, { strategy: 'random', trials: HISTORY }, SEED));
  let index = 0;
  return async () => {
    await sampler.sample({ index: index++, history: NO_HISTORY });
    return 1;
  };
}

/** What random search pays per active param: a seeded stream, and one number from it. */
function oneStream(): () => Promise<number> {
  let index = 0;
  return async () => {
    rngFor(SEED, 'random', index++, 'lr')();
    return 1;
  };
}

/** A grid study that runs the whole grid (listing order), visited `GRID_STRIDE` points apart. */
function gridDraws(params: ParamSpecs): Counted & { capacity: number } {
  // A probe with trials beyond any grid is in listing order too, so it builds no permutation.
  const { capacity } = new GridSampler(benchSpace(params, { strategy: 'grid', trials: Number.MAX_SAFE_INTEGER }, SEED));
  const sampler = new GridSampler(benchSpace(params, { strategy: 'grid', trials: capacity }, SEED));
  if (sampler.order !== 'listing') throw new Error(`conditional bench: the grid of ${capacity} points is not in listing order`);
  let k = 0;
  return {
    capacity,
    call: async () => {
      await sampler.sample({ index: (k++ * GRID_STRIDE) % capacity, history: NO_HISTORY });
      return 1;
    },
  };
}

function row(name: string, samples: number[], unit: string, extra: Pick<BenchRow, 'reference' | 'notes'>): BenchRow {
  return { name, median: median(samples), unit, samples, ...extra };
}

function measured(label: string, samples: number[], unit: string): MeasuredReference {
  return { label, value: median(samples), unit, measured: true, samples };
}

function mapValues<K extends string, V, W>(record: Record<K, V>, f: (value: V) => W): Record<K, W> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value as V)])) as Record<K, W>;
}
