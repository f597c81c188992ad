import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSampler, createStudy, loadStudy } from '../../src/index.js';
import { loadSpaceFile } from '../../src/space/load.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage, TrialDetail } from '../../src/storage/storage.js';
import { openStudyFromSpace } from '../../src/study/create.js';
import { measureOptunaCost, optunaCostReference } from '../reference/optuna-tpe-cost.js';
import { median, repeat, type BenchRow } from '../report.js';
import { SYNTHETIC_PARAMS } from './tpe-functions.js';

const HISTORY = 1000;
const TRIALS = 100;
const REPEATS = 5;
const OPTUNA_REPEATS = 3;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const BOWL = join(import.meta.dirname, '..', 'fixtures', 'bowl.mjs');
const SAMPLERS = ['tpe', 'random'] as const;
type CostSampler = (typeof SAMPLERS)[number];

const run = promisify(execFile);

/** What one `hpsearch run --format json` took: wall time from outside, duration_ms from inside. */
interface CliRun {
  wallMs: number;
  insideMs: number;
}

/**
 * Issue 15's sampler-cost target: <= 2 ms per trial with 1,000 finished trials in the history, on
 * SQLite, through the whole CLI path. A study of 1,000 finished trials is built once through the
 * library (TPE over the synthetic space, the bowl module objective bench/fixtures/bowl.mjs, one
 * worker), and imported trial by trial into two databases whose studies differ only in
 * `search.strategy`: tpe and random. Each repeat then runs, on fresh copies of one of them,
 * `hpsearch run --resume --workers 1` for 1 trial and for 1 + 100 trials; a trial's cost is
 * the difference over 100, which leaves out process start, imports, opening the database, the
 * worker's start and the final printout. TPE less random is what TPE itself adds. Samplers
 * alternate within each repeat, so drift on the machine hits both.
 *
 * Reference, measured after hpsearch in the same run (bench/reference/optuna_tpe_cost.py): Optuna's
 * TPESampler and RandomSampler on a SQLite file holding the same 1,000 trials, 100 more trials.
 */
export async function tpeSamplerCost(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  try {
    const { history, fillMs } = await buildHistory(join(dir, 'source.db'));
    const templates = {} as Record<CostSampler, { db: string; space: string }>;
    for (const sampler of SAMPLERS) templates[sampler] = await buildTemplate(dir, sampler, history);

    const perTrial: Record<CostSampler, number[]> = { tpe: [], random: [] };
    const inside: Record<CostSampler, number[]> = { tpe: [], random: [] };
    const idle: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const order = r % 2 === 0 ? SAMPLERS : [...SAMPLERS].reverse();
      for (const sampler of order) {
        const { db, space } = templates[sampler];
        const one = await runCli(dir, db, space, HISTORY + 1);
        const more = await runCli(dir, db, space, HISTORY + 1 + TRIALS);
        perTrial[sampler].push((more.wallMs - one.wallMs) / TRIALS);
        inside[sampler].push((more.insideMs - one.insideMs) / TRIALS);
        if (sampler === 'tpe') idle.push((await runCli(dir, db, space, HISTORY)).wallMs);
      }
      process.stderr.write(`  repeat ${r + 1}/${REPEATS}: tpe ${perTrial.tpe[r].toFixed(2)} ms/trial, random ${perTrial.random[r].toFixed(2)} ms/trial\n`);
    }
    const difference = perTrial.tpe.map((ms, i) => ms - perTrial.random[i]);
    const parts = await measureParts(templates.tpe.db);

    const optuna = await measureOptunaCost(
      history.map((t) => ({ params: t.params, value: t.value! })),
      TRIALS,
      OPTUNA_REPEATS,
    );
    const what = `${TRIALS} trials after ${HISTORY.toLocaleString('en')} finished (SQLite, 1 worker)`;
    return [
      {
        name: `tpe sampler cost: hpsearch run, TPE, ${what}, less a 1-trial run`,
        median: median(perTrial.tpe),
        unit: 'ms/trial',
        samples: perTrial.tpe,
        target: 2,
        reference: optunaCostReference(optuna, 'tpe'),
        notes: 'the whole CLI path per trial: claim, history query, sampling, worker round trip, commit',
      },
      {
        name: `  the same, random search`,
        median: median(perTrial.random),
        unit: 'ms/trial',
        samples: perTrial.random,
        reference: optunaCostReference(optuna, 'random'),
      },
      {
        name: `  TPE less random: the TPE sampler's own cost per trial`,
        median: median(difference),
        unit: 'ms/trial',
        samples: difference,
        reference: optunaCostReference(optuna, 'difference'),
      },
      {
        name: `  TPE, timed inside the process (the run's duration_ms, less the 1-trial run's)`,
        median: median(inside.tpe),
        unit: 'ms/trial',
        samples: inside.tpe,
      },
      {
        name: `  random, timed inside the process`,
        median: median(inside.random),
        unit: 'ms/trial',
        samples: inside.random,
      },
      {
        name: `  a full storage.listTrials() of ${HISTORY.toLocaleString('en')} trials (library, SQLite): what only the first draw of a run reads; later draws read new and unfinished trials only`,
        median: median(parts.listTrials),
        unit: 'ms',
        samples: parts.listTrials,
      },
      {
        name: `  of which: TPE sample() with the ${HISTORY.toLocaleString('en')} trials in memory, univariate (the model alone)`,
        median: median(parts.univariate),
        unit: 'ms/trial',
        samples: parts.univariate,
      },
      {
        name: `  TPE sample() with the trials in memory, multivariate (for scale)`,
        median: median(parts.multivariate),
        unit: 'ms/trial',
        samples: parts.multivariate,
      },
      {
        name: `  hpsearch run of 0 trials on the 1,000-trial study (process start, open, print; for scale)`,
        median: median(idle),
        unit: 'ms',
        samples: idle,
      },
      {
        name: `  building the history: ${HISTORY.toLocaleString('en')} TPE trials through the library (mean, for scale)`,
        median: fillMs / HISTORY,
        unit: 'ms/trial',
        samples: [fillMs / HISTORY],
        notes: 'the history grows from 0 to 1,000 trials over these',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 1,000 finished TPE trials of the bowl objective, each with its params, value and steps. */
async function buildHistory(db: string): Promise<{ history: TrialDetail[]; fillMs: number }> {
  const storage = await openStorage(db);
  try {
    const study = await createStudy({
      name: 'cost',
      storage,
      direction: 'minimize',
      seed: 1,
      search: { strategy: 'tpe', trials: HISTORY },
      params: SYNTHETIC_PARAMS,
    });
    const started = performance.now();
    const summary = await study.optimize(BOWL, { workers: 1 });
    const fillMs = performance.now() - started;
    if (summary.ran !== HISTORY || summary.failed !== 0) throw new Error(`building the history: ran ${summary.ran} trials, ${summary.failed} failed`);
    const history: TrialDetail[] = [];
    for (const trial of await study.trials()) {
      const detail = await storage.getTrial(study.id, trial.number);
      if (detail === null || detail.state !== 'complete' || detail.value === null) throw new Error(`building the history: trial ${trial.number} is not complete`);
      history.push(detail);
    }
    await study.close();
    return { history, fillMs };
  } finally {
    await storage.close();
  }
}

/**
 * Where a TPE trial's time goes, on the TPE template (1,000 trials): the history query each draw
 * makes, and the draw itself with that history already in memory, as batches of 20 calls.
 */
async function measureParts(db: string): Promise<{ listTrials: number[]; univariate: number[]; multivariate: number[] }> {
  const study = await loadStudy({ name: 'cost', storage: db });
  try {
    const trials = await study.storage.listTrials(study.id);
    const perCall = async (call: () => Promise<unknown>) => {
      for (let i = 0; i < 5; i++) await call();
      return repeat(5, async () => {
        const started = performance.now();
        for (let i = 0; i < 20; i++) await call();
        return (performance.now() - started) / 20;
      });
    };
    const draws = (multivariate: boolean) => {
      const sampler = createSampler({ ...study.space, search: { ...study.space.search, multivariate } } as typeof study.space);
      let index = HISTORY;
      return () => sampler.sample({ index: index++, number: HISTORY, history: async () => trials });
    };
    return {
      listTrials: await perCall(() => study.storage.listTrials(study.id)),
      univariate: await perCall(draws(false)),
      multivariate: await perCall(draws(true)),
    };
  } finally {
    await study.close();
  }
}

/** A space file for `sampler` and a database holding its study with the given trials. */
async function buildTemplate(dir: string, sampler: CostSampler, history: readonly TrialDetail[]): Promise<{ db: string; space: string }> {
  const space = join(dir, `cost-${sampler}.json`);
  writeFileSync(
    space,
    JSON.stringify({
      study: 'cost',
      seed: 1,
      objective: { module: BOWL, direction: 'minimize' },
      search: { strategy: sampler, trials: HISTORY },
      params: SYNTHETIC_PARAMS,
    }),
  );
  const db = join(dir, `template-${sampler}.db`);
  const storage: Storage = await openStorage(db);
  try {
    const { study } = await openStudyFromSpace(storage, await loadSpaceFile(space), { resume: false });
    for (const trial of history) await storage.importTrial(study.id, trial);
    const counts = await study.counts();
    if (counts.complete !== HISTORY) throw new Error(`template ${sampler}: ${counts.complete} complete trials, expected ${HISTORY}`);
  } finally {
    await storage.close();
  }
  if (existsSync(`${db}-wal`)) throw new Error(`template ${sampler}: ${db}-wal is left after closing; the copies would miss it`);
  return { db, space };
}

/** `hpsearch run` on a fresh copy of `template` until the study holds `trials` trials. */
async function runCli(dir: string, template: string, space: string, trials: number): Promise<CliRun> {
  const db = join(dir, 'run.db');
  rmSync(`${db}-wal`, { force: true });
  rmSync(`${db}-shm`, { force: true });
  copyFileSync(template, db);
  const started = performance.now();
  const { stdout } = await run(process.execPath, [CLI, 'run', space, '--db', db, '--resume', '--trials', String(trials), '--workers', '1', '--format', 'json']);
  const wallMs = performance.now() - started;
  const result = JSON.parse(stdout) as { ran: number; duration_ms: number; counts: { complete: number } };
  if (result.counts.complete !== trials || result.ran !== trials - HISTORY) {
    throw new Error(`hpsearch run --trials ${trials}: ran ${result.ran}, the study holds ${result.counts.complete} complete trials`);
  }
  return { wallMs, insideMs: result.duration_ms };
}
