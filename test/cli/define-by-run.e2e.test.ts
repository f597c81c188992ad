import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

interface BoardRow {
  number: number;
  params: Record<string, string | number>;
}

describe('hpsearch run of an objective that asks for its params (define-by-run)', () => {
  it('runs a space file with no params block, with random and with tpe, and stores what each trial asked for', async () => {
    const dir = tempDir();
    const db = join(dir, 'dbr.db');
    for (const strategy of ['random', 'tpe']) {
      const file = join(dir, `${strategy}.yaml`);
      const search = strategy === 'tpe' ? ['strategy: tpe', 'startup_trials: 3'] : [];
      writeFileSync(file, moduleSpaceYaml({ study: strategy, seed: 4, trials: 8, search, objective: 'define-by-run.mjs' }));
      const run = await runCli(['run', file, '--db', db, '--workers', '2']);
      expect(run.code, run.stderr).toBe(0);
      const board = await runCli(['leaderboard', strategy, '--db', db, '--top', '20', '--format', 'json']);
      expect(board.stderr).toBe('');
      const rows = JSON.parse(board.stdout) as BoardRow[];
      expect(rows).toHaveLength(8);
      for (const { params } of rows) {
        expect(Object.keys(params)).toEqual(['optimizer', ...(params['optimizer'] === 'momentum' ? ['momentum'] : []), 'lr', 'layers']);
      }
    }
  });
});
