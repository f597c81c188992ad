import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy } from '../../src/index.js';
import { median, repeat, type BenchRow } from '../report.js';

const TRIALS = 2000;
const REPEATS = 3;
const NOOP = join(import.meta.dirname, '..', 'fixtures', 'noop.mjs');

/**
 * Engine overhead: 2,000 trials of a no-op module objective through the whole path —
 * sample, claim in SQLite, run in a piscina worker, commit the result — per trial.
 * Reference: Optuna 3.1 with SQLite storage, random search, about 15 ms per trial on this machine.
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
      reference: { value: 15, label: 'Optuna 3.1 + SQLite (15 ms)' },
    });
  }
  return rows;
}
