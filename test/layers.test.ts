/**
 * The layer check that `npm test` runs (`npm run layers`, dependency-cruiser with
 * .dependency-cruiser.cjs): here it is shown to catch what it is for, on small trees of files
 * laid out like src/, and to pass on src/ itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, useTempDir } from './helpers/temp.js';

const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');
const CONFIG = join(REPO, '.dependency-cruiser.cjs');
const tempDir = useTempDir();

/** Runs the check on a tree of `files` (path → source) and returns its exit code and report. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), source);
  }
  return checkIn(dir);
}

/** Runs the check on `cwd`/src. */
function checkIn(cwd: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the layer check', () => {
  it('passes on src/', () => {
    const run = checkIn(REPO);
    expect(run.output).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  });

  it('passes a tree whose imports all point down', () => {
    const run = check({
      'src/errors.ts': 'export const E = 1;\n',
      'src/space/types.ts': "import { E } from '../errors.js';\nexport const T = E;\n",
      'src/task/kind.ts': "import { T } from '../space/types.js';\nexport const K = T;\n",
      'src/cli/main.ts': "import { K } from '../task/kind.js';\nconsole.log(K);\n",
    });
    expect(run.output).toContain('no dependency violations found');
    expect(run.status).toBe(0);
  });

  it('fails on an import up the layers, type-only ones included, naming the rule', () => {
    const run = check({
      'src/task/types.ts': 'export interface TaskSpec { epochs: number }\n',
      'src/space/types.ts': "import type { TaskSpec } from '../task/types.js';\nexport type Spec = TaskSpec;\n",
      'src/pruners/pruner.ts': "import { formatNumber } from '../cli/format/numbers.js';\nexport const f = formatNumber;\n",
      'src/cli/format/numbers.ts': 'export function formatNumber(n: number): string { return String(n); }\n',
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('space-imports-up: src/space/types.ts → src/task/types.ts');
    expect(run.output).toContain('algorithms-imports-up: src/pruners/pruner.ts → src/cli/format/numbers.ts');
  });

  it('fails on an import cycle within one layer', () => {
    const run = check({
      'src/task/models/model.ts': "import { createMlp } from './mlp.js';\nexport interface Model { name: string }\nexport const create = createMlp;\n",
      'src/task/models/mlp.ts': "import type { Model } from './model.js';\nexport function createMlp(): Model { return { name: 'mlp' }; }\n",
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('no-circular');
  });

  it('fails when the engine imports the built-in task, and on a module of no layer', () => {
    const run = check({
      'src/task/settings.ts': 'export const taskForTrial = 1;\n',
      'src/engine/optimize.ts': "import { taskForTrial } from '../task/settings.js';\nexport const x = taskForTrial;\n",
      'src/utils/misc.ts': "import { x } from '../engine/optimize.js';\nexport const y = x;\n",
    });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('engine-knows-no-task: src/engine/optimize.ts → src/task/settings.ts');
    expect(run.output).toContain('no-unlayered-module: src/utils/misc.ts');
  });
});
