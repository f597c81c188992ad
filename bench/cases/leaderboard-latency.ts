import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStudy } from '../../src/index.js';
import { median, repeat, type BenchRow } from '../report.js';

const TRIALS = 100_000;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/**
 * Leaderboard latency on a 100,000-trial study: the library call, and the whole
 * `hpsearch leaderboard --top 5` command (a fresh Node process: start-up included).
 */
export async function leaderboardLatency(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  const db = join(dir, 'big.db');
  try {
    const study = await createStudy({
      name: 'big',
      storage: db,
      direction: 'maximize',
      seed: 1,
      search: { strategy: 'random', trials: TRIALS },
      params: { lr: { type: 'float', low: 1e-6, high: 1e-2, log: true } },
    });
    await study.close();
    fillTrials(db, TRIALS);

    const reopened = await createStudy({
      name: 'big',
      storage: db,
      direction: 'maximize',
      params: { lr: { type: 'float', low: 1e-6, high: 1e-2, log: true } },
      loadIfExists: true,
    });
    const library = await repeat(21, async () => {
      const started = performance.now();
      const rows = await reopened.leaderboard({ top: 5 });
      const elapsed = performance.now() - started;
      if (rows.length !== 5) throw new Error('leaderboard returned too few rows');
      return elapsed;
    });
    await reopened.close();

    const cli = await repeat(7, async () => {
      const started = performance.now();
      execFileSync(process.execPath, [CLI, 'leaderboard', 'big', '--db', db, '--top', '5', '--format', 'json']);
      return performance.now() - started;
    });
    const nodeStart = await repeat(7, async () => {
      const started = performance.now();
      execFileSync(process.execPath, ['-e', '0']);
      return performance.now() - started;
    });
    const startup = median(nodeStart);
    return [
      { name: 'leaderboard --top 5, 100,000 trials (library call)', median: median(library), unit: 'ms', samples: library, target: 100 },
      {
        name: 'hpsearch leaderboard --top 5, 100,000 trials (CLI process)',
        median: median(cli),
        unit: 'ms',
        samples: cli,
        notes: 'a whole Node process: start-up, imports, opening the database, the query, JSON output',
      },
      {
        name: 'the same, less bare Node start-up (what hpsearch adds)',
        median: median(cli) - startup,
        unit: 'ms',
        samples: cli.map((ms) => ms - startup),
        target: 100,
      },
      { name: 'node -e 0 (bare process start-up, for scale)', median: startup, unit: 'ms', samples: nodeStart },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes finished trials straight into the file: building 100,000 through the engine would dominate the bench. */
function fillTrials(db: string, count: number): void {
  const sqlite = new Database(db);
  try {
    const { id } = sqlite.prepare('SELECT id FROM studies WHERE name = ?').get('big') as { id: number };
    const insertTrial = sqlite.prepare(
      `INSERT INTO trials (study_id, number, sample_index, state, params_json, value, started_at, ended_at, seed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertStep = sqlite.prepare('INSERT INTO trial_steps (trial_id, step, name, value) VALUES (?, ?, ?, ?)');
    const now = Date.now();
    sqlite.transaction(() => {
      for (let n = 0; n < count; n++) {
        const state = n % 10 === 9 ? 'failed' : 'complete';
        const value = state === 'complete' ? Math.random() : null;
        const info = insertTrial.run(id, n, n, state, JSON.stringify({ lr: 10 ** (-6 + 4 * Math.random()) }), value, now, now + 1000, n);
        for (let step = 0; step < 5; step++) insertStep.run(Number(info.lastInsertRowid), step, 'val_accuracy', Math.random());
      }
    })();
  } finally {
    sqlite.close();
  }
}
