import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy } from '../../src/index.js';
import { describeConfig, measureOptunaOverhead, optunaReference, type OptunaOverhead } from '../reference/optuna-overhead.js';
import { median, repeat, type BenchRow } from '../report.js';

const TRIALS = 2000;
/** Optuna's TPE rows are for scale only (hpsearch has no TPE yet): shorter studies keep the bench short. */
const OPTUNA_TPE_TRIALS = 300;
const REPEATS = 3;
const NOOP = join(import.meta.dirname, '..', 'fixtures', 'noop.mjs');

/**
 * Engine overhead: 2,000 trials of a no-op module objective through the whole path —
 * sample, claim in SQLite, run in a piscina worker, commit the result — per trial.
 *
 * Reference, measured after hpsearch in the same run (bench/reference/optuna_overhead.py): Optuna
 * in one process with a trivial objective over the same three parameters, 2,000 trials (TPE: 300),
 * 3 repeats. Each hpsearch row is held against Optuna's RandomSampler on a SQLite file, the
 * like-for-like: random sampling, every trial written to a SQLite database before the next
 * (hpsearch has no in-memory storage). Optuna's other three configurations get rows of their own,
 * without ratios, for scale. The 2-worker row is held against the same 1-process figure: Optuna's
 * n_jobs are threads under one GIL, so there is no 2-worker Optuna to measure.
 */
export async function engineOverhead(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const workers of [1, 2]) {
    const samples = await repeat(REPEATS, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
      try {
        const study = await createStudy({
          name: 'overhead',
          storage: join(dir, 'bench.db'),
          direction: 'maximize',
          seed: 1,
          search: { strategy: 'random', trials: TRIALS },
          params: {
            lr: { type: 'float', low: 1e-6, high: 1e-2, log: true },
            weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
            optimizer: { type: 'categorical', choices: ['sgd', 'adam'] },
          },
        });
        const started = performance.now();
        const summary = await study.optimize(NOOP, { workers });
        const elapsed = performance.now() - started;
        await study.close();
        if (summary.ran !== TRIALS) throw new Error(`expected ${TRIALS} trials, ran ${summary.ran}`);
        return elapsed / TRIALS;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    rows.push({
      name: `engine overhead, ${TRIALS} no-op trials, ${workers} worker${workers === 1 ? '' : 's'}`,
      median: median(samples),
      unit: 'ms/trial',
      samples,
      target: 1,
    });
  }
  const optuna = await measureOptunaOverhead(TRIALS, REPEATS, OPTUNA_TPE_TRIALS);
  for (const row of rows) row.reference = optunaReference(optuna, { sampler: 'random', storage: 'sqlite' });
  return [...rows, ...optunaRows(optuna)];
}

function optunaRows(optuna: OptunaOverhead): BenchRow[] {
  if (!optuna.measured) return [];
  return optuna.configs.map((config) => ({
    name: `  Optuna ${optuna.optuna}, ${describeConfig(config)}, ${config.trials} trivial trials, 1 process (reference)`,
    median: config.median,
    unit: config.unit,
    samples: config.samples,
  }));
}
