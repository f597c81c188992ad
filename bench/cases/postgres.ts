import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStudy, openStorage } from '../../src/index.js';
import { startTestPostgres } from '../../test/helpers/postgres-server.js';
import { median, repeat, type BenchRow } from '../report.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const NOOP = join(import.meta.dirname, '..', 'fixtures', 'noop.mjs');
const PROCESSES = 4;
const TRIALS = 2000;
const BOARD_TRIALS = 100_000;

/**
 * PostgreSQL over loopback (a throwaway server of Debian's PostgreSQL, as the tests use):
 * engine overhead with 4 `hpsearch worker` processes of 1 worker thread each sharing one study
 * of 2,000 no-op trials (wall time from the first start to the last exit, less one process's
 * bare start-up, per trial), and the leaderboard of a 100,000-trial study.
 * Targets (issue 7): <= 5 ms per trial, <= 200 ms for the leaderboard.
 */
export async function postgresStorage(): Promise<BenchRow[]> {
  const server = await startTestPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  try {
    const file = join(dir, 'noop.yaml');
    writeFileSync(
      file,
      `study: overhead\nseed: 1\nobjective:\n  module: ${JSON.stringify(NOOP)}\n  direction: maximize\nsearch:\n  strategy: random\n  trials: ${TRIALS}\nparams:\n  lr: { type: float, low: 1.0e-6, high: 1.0e-2, log: true }\n`,
    );
    const perTrial = await repeat(3, async () => {
      const url = await server.createDatabase();
      // The study exists before the clock starts: the workers only join it.
      await run(['run', file, '--storage', url, '--trials', '1', '--workers', '1']);
      const started = performance.now();
      await Promise.all(Array.from({ length: PROCESSES }, () => run(['worker', 'overhead', '--storage', url, '--workers', '1', '--trials', String(TRIALS)])));
      const elapsed = performance.now() - started;
      const storage = await openStorage(url);
      try {
        const counts = await storage.countTrials((await storage.getStudy('overhead'))!.id);
        if (counts.complete !== TRIALS) throw new Error(`expected ${TRIALS} complete trials, found ${counts.complete}`);
      } finally {
        await storage.close();
      }
      return elapsed / (TRIALS - 1);
    });

    const url = await server.createDatabase();
    const study = await createStudy({
      name: 'big', storage: url, direction: 'maximize', seed: 1,
      search: { strategy: 'random', trials: BOARD_TRIALS },
      params: { lr: { type: 'float', low: 1e-6, high: 1e-2, log: true } },
    });
    await server.sql(url, `INSERT INTO trials (study_id, number, sample_index, state, params_json, value, started_at, ended_at, seed)
      SELECT $1, n, n, CASE WHEN n % 10 = 9 THEN 'failed' ELSE 'complete' END, '{"lr":0.001}',
             CASE WHEN n % 10 = 9 THEN NULL ELSE random() END, 0, 1000, n FROM generate_series(0, $2 - 1) AS n`, [study.id, BOARD_TRIALS]);
    await server.sql(url, 'ANALYZE');
    const board = await repeat(21, async () => {
      const t = performance.now();
      const rows = await study.leaderboard({ top: 5 });
      if (rows.length !== 5) throw new Error('leaderboard returned too few rows');
      return performance.now() - t;
    });
    await study.close();
    return [
      {
        name: `engine overhead, PostgreSQL over loopback, ${PROCESSES} worker processes, ${TRIALS} no-op trials (wall time incl. start-up)`,
        median: median(perTrial),
        unit: 'ms/trial',
        samples: perTrial,
        target: 5,
      },
      { name: 'leaderboard --top 5, 100,000 trials, PostgreSQL (library call)', median: median(board), unit: 'ms', samples: board, target: 200 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.stop();
  }
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`hpsearch ${args[0]} exited with ${code}: ${stderr}`))));
  });
}
