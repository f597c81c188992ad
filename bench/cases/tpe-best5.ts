import { join } from 'node:path';
import { tpePhase, type TpePhase } from '../../src/samplers/tpe/tpe.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { median, type BenchRow } from '../report.js';
import { runSpace, SPACES } from './run-space.js';

const RANDOM = join(SPACES, 'best5.yaml');
const TPE = join(SPACES, 'best5-tpe.yaml');
const SEEDS = [42, 43, 44];
const TRIALS = 100;
const WORKERS = 2;
/** Target: TPE's median over seeds of the trials it needs to reach random's best-of-100. */
const REACH_TARGET = 40;
/** What a seed whose TPE run never reaches random's best counts as in the median: more than the budget. */
const NEVER = TRIALS + 1;

interface SeedResult {
  seed: number;
  random: { best: number; at: number };
  tpe: { best: number; at: number };
  /** The first TPE trial (numbered from 1) whose value >= random's best; null: none of the 100. */
  reach: number | null;
  /** Whether that trial was one of TPE's random startup draws (random search's own draw of that index) or modelled. */
  reachPhase: TpePhase | null;
  /** TPE trials drawn at random before the model took over (more than 10 with 2 workers: trials start before 10 are done). */
  startup: number;
  wallS: { random: number; tpe: number };
}

/**
 * Issue 15's target on the real task: search-spaces/best5-tpe.yaml against best5.yaml (the book's
 * best-5 search, val_accuracy maximised), 100 trials each, seeds 42, 43 and 44 (the `seed`
 * override), 2 workers, wasm; about 6 minutes on 2 cores. Two figures per seed: the trials TPE
 * needs to reach random search's best-of-100 of the same seed (the first TPE trial, numbered from
 * 1, whose value >= it; target: median <= 40, a seed that never gets there counting as > 100),
 * and best-of-100 of each (target: TPE >= random, on every seed and in the median). TPE's 10
 * startup trials are random search's first draws of the same seed (a few more than 10 with 2
 * workers), so a random best among those is reached at the same trial: the table says whether
 * the reaching trial was a startup or a modelled draw.
 */
export async function tpeBest5(): Promise<BenchRow[]> {
  const results: SeedResult[] = [];
  for (const seed of SEEDS) {
    const random = await runSpace(RANDOM, TRIALS, WORKERS, 'wasm', { seed, study: `best5-seed${seed}` });
    const tpe = await runSpace(TPE, TRIALS, WORKERS, 'wasm', { seed, study: `best5-tpe-seed${seed}` });
    const result = compareSeed(seed, random.trials, tpe.trials, { random: random.wallMs / 1000, tpe: tpe.wallMs / 1000 });
    results.push(result);
    process.stderr.write(`  seed ${seed}: ${seedLine(result)}\n`);
  }
  process.stderr.write(`\n${seedTable(results)}\n\n`);

  const reach = results.map((r) => r.reach ?? NEVER);
  const never = results.filter((r) => r.reach === null).map((r) => r.seed);
  const tpeBest = results.map((r) => r.tpe.best);
  const randomBest = results.map((r) => r.random.best);
  const shortfall = results.map((r) => r.random.best - r.tpe.best);
  const perSeed = results.map((r) => `seed ${r.seed}: ${r.reach === null ? 'never' : `${r.reach} (${r.reachPhase} draw)`}`).join(', ');
  return [
    {
      name: `tpe-best5: trials TPE needs to reach random's best-of-${TRIALS}, median of seeds ${SEEDS.join('/')}`,
      median: median(reach),
      unit: 'trials',
      samples: reach,
      target: REACH_TARGET,
      notes: `${perSeed}${never.length > 0 ? ` (never: counted as ${NEVER})` : ''}`,
    },
    {
      name: `  TPE best-of-${TRIALS} val_accuracy, median of ${SEEDS.length} seeds`,
      median: median(tpeBest),
      unit: 'val_acc',
      samples: tpeBest,
      reference: {
        label: `random search's best-of-${TRIALS}, median of the same seeds`,
        value: median(randomBest),
        unit: 'val_acc',
        measured: true,
        samples: randomBest,
      },
    },
    {
      name: `  random's median best-of-${TRIALS} less TPE's (target: TPE >= random)`,
      median: median(randomBest) - median(tpeBest),
      unit: 'val_acc',
      samples: [median(randomBest), median(tpeBest)],
      target: 0,
    },
    {
      name: `  random's best-of-${TRIALS} less TPE's, worst seed (target: TPE >= random on every seed)`,
      median: Math.max(...shortfall),
      unit: 'val_acc',
      samples: shortfall,
      target: 0,
      notes: results.map((r) => `seed ${r.seed}: random ${r.random.best.toFixed(2)}, TPE ${r.tpe.best.toFixed(2)}`).join('; '),
    },
    {
      name: `  wall time per 100-trial study, ${WORKERS} workers, wasm (median of ${SEEDS.length * 2})`,
      median: median(results.flatMap((r) => [r.wallS.random, r.wallS.tpe])),
      unit: 's',
      samples: results.flatMap((r) => [r.wallS.random, r.wallS.tpe]),
    },
  ];
}

function compareSeed(seed: number, random: readonly TrialRecord[], tpe: readonly TrialRecord[], wallS: SeedResult['wallS']): SeedResult {
  const randomBest = bestOf(random, `best5 seed ${seed}`);
  const tpeBest = bestOf(tpe, `best5-tpe seed ${seed}`);
  const byNumber = [...tpe].sort((a, b) => a.number - b.number);
  const reached = byNumber.find((t) => t.state === 'complete' && t.value !== null && t.value >= randomBest.best);
  return {
    seed,
    random: randomBest,
    tpe: tpeBest,
    reach: reached === undefined ? null : reached.number + 1,
    reachPhase: reached === undefined ? null : tpePhase(reached),
    startup: tpe.filter((t) => tpePhase(t) === 'startup').length,
    wallS,
  };
}

/** The best value of a study's complete trials and the trial (numbered from 1) that first had it. */
function bestOf(trials: readonly TrialRecord[], what: string): { best: number; at: number } {
  const complete = trials.filter((t) => t.state === 'complete' && t.value !== null).sort((a, b) => a.number - b.number);
  if (complete.length !== TRIALS) throw new Error(`${what}: ${complete.length} complete trials of ${TRIALS}`);
  let best = complete[0];
  for (const trial of complete) if (trial.value! > best.value!) best = trial;
  return { best: best.value!, at: best.number + 1 };
}

function seedLine(r: SeedResult): string {
  const reach = r.reach === null ? `never reached in ${TRIALS}` : `reached at trial ${r.reach} (a ${r.reachPhase} draw)`;
  return `random best ${r.random.best.toFixed(2)} (trial ${r.random.at}), TPE best ${r.tpe.best.toFixed(2)} (trial ${r.tpe.at}); random's best ${reach}`;
}

function seedTable(results: readonly SeedResult[]): string {
  const header = ['seed', 'random best', 'at trial', 'TPE best', 'at trial', "TPE reaches random's best at", 'by a', 'startup trials', 'TPE >= random'];
  const lines = results.map((r) => [
    String(r.seed),
    r.random.best.toFixed(2),
    String(r.random.at),
    r.tpe.best.toFixed(2),
    String(r.tpe.at),
    r.reach === null ? `never (> ${TRIALS})` : `trial ${r.reach}`,
    r.reachPhase === null ? '-' : `${r.reachPhase} draw`,
    String(r.startup),
    r.tpe.best >= r.random.best ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  return [render(header), widths.map((w) => '─'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}
