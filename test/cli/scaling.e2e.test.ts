import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function space(dir: string, trials: number): string {
  const file = join(dir, 'shared.yaml');
  writeFileSync(file, moduleSpaceYaml({ study: 'shared', seed: 9, trials, params: ['lr: { type: float, low: 1.0e-5, high: 1.0e-1, log: true }', 'epochs: 3'] }));
  return file;
}

describe('worker, copy and --storage (SQLite here; the PostgreSQL runs are in test/storage)', () => {
  it('hpsearch worker joins a study by name, reads its space from the storage and runs it to its budget', async () => {
    const dir = tempDir();
    const db = join(dir, 'w.db');
    const first = await runCli(['run', space(dir, 20), '--db', db, '--workers', '1', '--trials', '8']);
    expect(first.code).toBe(0);
    // `run --trials 8` stored a budget of 8: the worker runs the study to it, then (--trials 20) on.
    const idle = await runCli(['worker', 'shared', '--db', db]);
    expect(idle.code).toBe(0);
    expect(idle.stderr).toMatch(/^0 trials run/m);
    // HPSEARCH_STORAGE names the storage when no flag does.
    const joined = await runCli(['worker', 'shared', '--workers', '2', '--trials', '20'], { env: { HPSEARCH_STORAGE: db } });
    expect(joined.stderr).not.toMatch(/unexpected error/);
    expect(joined.code).toBe(0);
    expect(joined.stderr).toMatch(/hpsearch: joining study "shared": random search, 20 trials -> /);
    const storage = await openStorage(db);
    try {
      const study = (await storage.getStudy('shared'))!;
      const trials = await storage.listTrials(study.id);
      expect(trials).toHaveLength(20);
      expect(trials.every((t) => t.state === 'complete')).toBe(true);
      expect(new Set(trials.map((t) => t.sampleIndex)).size).toBe(20);
    } finally {
      await storage.close();
    }
    const missing = await runCli(['worker', 'sahred', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/did you mean "shared"/);
    const both = await runCli(['worker', 'shared', '--db', db, '--storage', db]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --db or --storage, not both/);
  });

  it('hpsearch copy moves a study with its trials and curves; resuming the copy runs only what is left', async () => {
    const dir = tempDir();
    const from = join(dir, 'from.db');
    const to = join(dir, 'to.db');
    const file = space(dir, 12);
    expect((await runCli(['run', file, '--db', from, '--workers', '1', '--trials', '7'])).code).toBe(0);
    const copied = await runCli(['copy', 'shared', '--from', from, '--to', to]);
    expect(copied.code).toBe(0);
    expect(copied.stderr).toMatch(/copied study "shared" \(7 trials\) from .*from\.db to .*to\.db/);
    const [a, b] = await Promise.all([openStorage(from), openStorage(to)]);
    try {
      const sa = (await a.getStudy('shared'))!;
      const sb = (await b.getStudy('shared'))!;
      expect({ ...sb, id: 0 }).toEqual({ ...sa, id: 0 });
      for (let n = 0; n < 7; n++) {
        const ta = (await a.getTrial(sa.id, n))!;
        const tb = (await b.getTrial(sb.id, n))!;
        expect({ ...tb, id: 0, studyId: 0 }).toEqual({ ...ta, id: 0, studyId: 0 });
      }
    } finally {
      await a.close();
      await b.close();
    }
    const again = await runCli(['copy', 'shared', '--from', from, '--to', to]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    // The copy goes on where the original stopped: trials 7..11, new draws, no repeats.
    const resumed = await runCli(['run', file, '--db', to, '--resume', '--workers', '1', '--trials', '12']);
    expect(resumed.code).toBe(0);
    const storage = await openStorage(to);
    try {
      const trials = await storage.listTrials((await storage.getStudy('shared'))!.id);
      expect(trials.map((t) => t.number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(new Set(trials.map((t) => t.sampleIndex)).size).toBe(12);
      expect(new Set(trials.map((t) => JSON.stringify(t.params))).size).toBe(12);
    } finally {
      await storage.close();
    }
  });
});
