import { describe, expect, it } from 'vitest';
import * as api from 'hpsearch';
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
});
