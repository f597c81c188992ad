import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, openStorage, writeReport } from '../../src/index.js';
import { median, repeat, type BenchRow } from '../report.js';

const QUADRATIC = join(import.meta.dirname, '..', '..', 'search-spaces', 'objectives', 'quadratic.mjs');
const REPEATS = 5;

/**
 * `hpsearch report` on studies of 100 and 1,000 trials of the quadratic stand-in (5 epochs of
 * train and validation accuracy each): the time to read the study, build the views, compile
 * them and write the file, and the file's size (the Vega runtime alone is about 510 KiB).
 */
export async function reportWriting(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const trials of [100, 1000]) {
    const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
    try {
      const db = join(dir, 'report.db');
      const study = await createStudy({
        name: 'report',
        storage: db,
        direction: 'maximize',
        metric: 'val_accuracy',
        seed: 1,
        search: { strategy: 'random', trials },
        params: {
          learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
          weight_decay: { type: 'float', low: 1e-8, high: 1e-4, log: true },
          optimizer: { type: 'categorical', choices: ['sgd', 'momentum', 'adam'] },
        },
      });
      await study.optimize(QUADRATIC, { workers: 2 });
      await study.close();
      const storage = await openStorage(db);
      let bytes = 0;
      try {
        const samples = await repeat(REPEATS, async () => {
          const started = performance.now();
          const written = await writeReport(storage, 'report', { out: join(dir, 'report.html') });
          bytes = written.bytes;
          return performance.now() - started;
        });
        rows.push({ name: `hpsearch report, ${trials}-trial study (read, build, compile, write)`, median: median(samples), unit: 'ms', samples });
        rows.push({ name: `  report file size, ${trials} trials`, median: bytes / 1024, unit: 'KiB', samples: [bytes / 1024] });
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
