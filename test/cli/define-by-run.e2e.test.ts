import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { REPO, useTempDir } from '../helpers/temp.js';

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

  it("search-spaces/define-by-run.yaml and conditional.yaml: the same space asked for or declared, the same startup draws, TPE's phase after them", async () => {
    const dir = tempDir();
    const db = join(dir, 'examples.db');
    const boards: Record<string, (BoardRow & { sampler: string | null })[]> = {};
    for (const study of ['define-by-run', 'conditional']) {
      const run = await runCli(['run', join(REPO, 'search-spaces', `${study}.yaml`), '--db', db, '--workers', '1']);
      expect(run.code, run.stderr).toBe(0);
      const board = await runCli(['leaderboard', study, '--db', db, '--top', '100', '--format', 'json']);
      boards[study] = (JSON.parse(board.stdout) as (BoardRow & { sampler: string | null })[]).sort((a, b) => a.number - b.number);
    }
    const asked = boards['define-by-run']!;
    const declared = boards['conditional']!;
    expect(asked).toHaveLength(60);
    for (const { params } of [...asked, ...declared]) {
      const own = params['optimizer'] === 'momentum' ? ['momentum'] : params['optimizer'] === 'adam' ? ['beta1'] : [];
      expect(Object.keys(params).sort()).toEqual(['learning_rate', 'optimizer', ...own].sort());
    }
    // Random draws a param from a stream keyed by its name: asked or declared, the startup trials are the same.
    expect(asked.slice(0, 10).map((r) => r.params)).toEqual(declared.slice(0, 10).map((r) => r.params));
    expect(asked.map((r) => r.sampler)).toEqual([...Array<string>(10).fill('startup'), ...Array<string>(50).fill('tpe')]);
  });
});

