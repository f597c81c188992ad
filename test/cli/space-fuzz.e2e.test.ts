/**
 * Hostile input at the command line: `hpsearch run` on generated malformed space files exits 2
 * with the problems on stderr and writes nothing, no database file nor its -wal/-shm companions.
 * The generators are the parser fuzz test's (test/space/fuzz-documents.ts); see that test for
 * the thousands of in-process cases. Seeded like it: FUZZ_SEED=<n> tries other files.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseSpace } from '../../src/space/load.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';
import { anyMalformedArb, type FuzzCase } from '../space/fuzz-documents.js';

const tempDir = useTempDir();
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
const FILES = 20;
/** Child processes at a time: enough to overlap their start-up on two cores. */
const PARALLEL = 4;

function refused({ text, dir }: FuzzCase): boolean {
  try {
    parseSpace(text, 'fuzz.yaml', dir);
    return false;
  } catch (error) {
    return error instanceof ValidationError;
  }
}

describe('hpsearch run on malformed space files', () => {
  it('exits 2 with the problems on stderr and creates no database', async () => {
    const dir = tempDir();
    // Three named cases: an alias bomb, deep nesting, and a cycle through an alias.
    const named = [
      `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 9 }, (_, i) => `b${i}: &b${i} [${Array(9).fill(i === 0 ? '*a' : `*b${i - 1}`).join(', ')}]`).join('\n')}\n`,
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      'objective: { module: ./x.mjs, direction: maximize }\nsearch: &s { strategy: *s, trials: 3 }\nparams: {}\n',
    ];
    const samples = fc.sample(anyMalformedArb.filter(refused), { seed: SEED, numRuns: FILES - named.length });
    const texts = [...samples.map((sample) => sample.text), ...named];
    const files = texts.map((text, i) => {
      const file = join(dir, `fuzz-${i}.yaml`);
      writeFileSync(file, text);
      return file;
    });
    const db = join(dir, 'x.db');

    for (let start = 0; start < files.length; start += PARALLEL) {
      const batch = files.slice(start, start + PARALLEL);
      const results = await Promise.all(batch.map((file) => runCli(['run', file, '--db', db], { cwd: dir })));
      results.forEach((result, i) => {
        const what = `${batch[i]}: ${JSON.stringify(texts[start + i]!.slice(0, 500))}\n${result.stderr.slice(0, 2000)}`;
        expect(result.code, what).toBe(2);
        expect(result.stderr, what).toMatch(/\d+ problems? in the search space/);
        expect(result.stderr, what).not.toMatch(/unexpected error|\n\s+at /);
        expect(result.stdout, what).toBe('');
      });
    }
    // Nothing but the space files: no x.db, x.db-wal, x.db-shm or x.db-journal, no runs/ folder.
    expect(readdirSync(dir).sort()).toEqual(files.map((file) => file.slice(dir.length + 1)).sort());
  });
});
