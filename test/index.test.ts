import { describe, expect, it } from 'vitest';
import * as api from 'hpsearch';
import * as tfjsApi from 'hpsearch/tfjs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useTempDir } from './helpers/temp.js';

const tempDir = useTempDir();

describe('the published package', () => {
  it("resolves `import ... from 'hpsearch'` to the build and runs a study through it", async () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        'BUILTIN_OBJECTIVE_KINDS',
        'DEFAULT_DB_PATH',
        'HpsearchError',
        'Study',
        'TRIAL_STATES',
        'ValidationError',
        'compareStudyName',
        'resolveSamplers',
        'resolveStrategies',
        'runComparison',
        'startReportServer',
        'writeReport',
        'summarizeComparison',
        'createPruner',
        'createSampler',
        'samplerStateLabel',
        'createStudy',
        'defaultPrunerSpec',
        'enqueuedParams',
        'exportModel',
        'isTakenOver',
        'processOwner',
        'loadSpaceFile',
        'loadStudy',
        'narrowParams',
        'narrowingRound',
        'openStorage',
        'optimizeStudy',
        'registerObjectiveKind',
      ].sort(),
    );
    const db = join(tempDir(), 'api.db');
    const study = await api.createStudy({
      name: 'api',
      storage: db,
      direction: 'minimize',
      seed: 2,
      search: { strategy: 'grid' },
      params: { x: { type: 'int', low: -3, high: 3 } },
    });
    await study.optimize((params) => (params['x'] as number) ** 2, { workers: 2 });
    await study.close();
    const again = await api.loadStudy({ name: 'api', storage: db });
    try {
      const [best] = await again.leaderboard({ top: 1 });
      expect(best?.params).toEqual({ x: 0 });
      expect(best?.value).toBe(0);
    } finally {
      await again.close();
    }
    await expect(api.loadStudy({ name: 'apx', storage: db })).rejects.toThrow(/did you mean "api"/);
  });

  it('runs an objective that asks for its params itself (define-by-run), with no params declared', async () => {
    const study = await api.createStudy({ name: 'dbr', storage: join(tempDir(), 'dbr.db'), direction: 'minimize', seed: 2, search: { strategy: 'random', trials: 5 } });
    try {
      await study.optimize(async (_params, ctx) => {
        const x = await ctx.suggestInt('x', -3, 3);
        const kind: 'a' | 'b' = await ctx.suggestCategorical('kind', ['a', 'b']);
        return kind === 'a' ? x ** 2 : x ** 2 + 1;
      }, { workers: 1 });
      const trials = await study.trials();
      expect(trials.map((t) => Object.keys(t.params))).toEqual(Array(5).fill(['x', 'kind']));
    } finally {
      await study.close();
    }
  });

  it("resolves `import ... from 'hpsearch/tfjs'` to the build, which loads TF.js's layers but registers no backend", () => {
    expect(Object.keys(tfjsApi).sort()).toEqual(['PruningCallback', 'pruningCallback']);
    // In a fresh process: this one may have loaded backends for other tests.
    const script = "await import('hpsearch/tfjs'); const core = await import('@tensorflow/tfjs-core'); console.log(JSON.stringify(Object.keys(core.engine().registryFactory)));";
    const registered = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' });
    expect(JSON.parse(registered)).toEqual([]);
  });
});
