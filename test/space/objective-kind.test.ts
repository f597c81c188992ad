/**
 * The objective-kind registry is what the space format and the run loop go through: a kind
 * registered here, which neither names, is validated from a space file, sizes the run and runs
 * its trials in real worker threads through its own runner module.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { optimizeStudy } from '../../src/engine/optimize.js';
import { objectiveKind, registerObjectiveKind, type ObjectiveKind } from '../../src/space/objective-kind.js';
import { parseSpace } from '../../src/space/load.js';
import { openStudyFromSpace } from '../../src/study/create.js';
import { openStorage } from '../../src/storage/open.js';
import { ValidationError } from '../../src/errors.js';
import { REPO, useTempDir } from '../helpers/temp.js';

interface OffsetSpec {
  offset: number;
  steps: number;
}

declare module '../../src/space/types.js' {
  interface ObjectiveSpecs {
    offset: OffsetSpec;
  }
}

declare module '../../src/space/objective-kind.js' {
  interface ObjectiveSources {
    offset: { offset: OffsetSpec; processes?: boolean };
  }
}

const RUNNER = new URL(`file://${join(REPO, 'test', 'fixtures', 'kinds', 'offset-runner.mjs')}`).href;

const offsetKind: ObjectiveKind<OffsetSpec, { processes?: boolean }> = {
  name: 'offset',
  schema: z.strictObject({ offset: z.number(), steps: z.int().min(1) }),
  description: 'Test kind: x + offset × step.',
  nested: false,
  defaultMetric: 'score',
  stepMetrics: { names: ['score'], reporter: 'the offset kind', when: 'each step' },
  check(objective) {
    const value = objective['offset'] as { offset: number; steps: number } | undefined;
    return value && typeof value.offset === 'number' ? { offset: value.offset, steps: value.steps } : undefined;
  },
  fullTrialSteps: (spec) => ({ steps: spec.steps, source: 'the offset kind' }),
  workerProcesses: (options, processes) =>
    options.processes ? { env: { OFFSET_PROCESSES: String(processes) }, note: `offset runs ${processes} worker processes` } : undefined,
  plannedSteps: (spec) => spec.steps,
  workerJob: (spec) => ({ runner: RUNNER, data: spec }),
};

registerObjectiveKind(offsetKind);
const tempDir = useTempDir();

const SPACE = `
study: offsets
seed: 7
objective:
  offset: { offset: 10, steps: 3 }
  direction: maximize
search: { strategy: grid }
params:
  x: { type: int, low: 0, high: 3 }
pruner: { type: successive_halving, min_resource: 1 }
early_stopping: { monitor: score, mode: max }
`;

describe('objective kinds', () => {
  it('registering the same kind again is a no-op; another under a taken name is an error', () => {
    registerObjectiveKind(offsetKind);
    expect(objectiveKind('offset')).toBe(offsetKind);
    expect(() => registerObjectiveKind({ ...offsetKind })).toThrow(/registered twice/);
  });

  it("validates a space file by the kind's schema, defaults and stopping metrics", () => {
    const { space } = parseSpace(SPACE, 'offsets.yaml', tempDir());
    expect(space.objective).toEqual({ metric: 'score', direction: 'maximize', offset: { offset: 10, steps: 3 } });
    // max_resource came from the kind's full trial steps.
    expect(space.pruner).toMatchObject({ type: 'successive_halving', maxResource: 3 });
    expect(() => parseSpace(SPACE.replace('offset: 10', 'offset: ten'), 'offsets.yaml', tempDir())).toThrow(ValidationError);
    const badMonitor = SPACE.replace('monitor: score', 'monitor: scroe');
    expect(() => parseSpace(badMonitor, 'offsets.yaml', tempDir())).toThrow(/the offset kind reports score each step; got "scroe"/);
    const two = SPACE.replace('  direction: maximize', '  module: ./x.mjs\n  direction: maximize');
    expect(() => parseSpace(two, 'offsets.yaml', tempDir())).toThrow(/give either module or offset, not both/);
  });

  it('runs its trials in worker threads through its own runner module', async () => {
    const loaded = parseSpace(SPACE, 'offsets.yaml', tempDir());
    const storage = await openStorage(join(tempDir(), 'kinds.db'));
    const notes: string[] = [];
    try {
      const { study } = await openStudyFromSpace(storage, loaded, { resume: false });
      const summary = await optimizeStudy(study, { offset: loaded.space.objective.offset! }, { workers: 2, onNote: (n) => notes.push(n) });
      expect(notes).toEqual([]);
      expect(summary.workers).toBe(2);
      expect(summary.ran).toBe(4);
      expect(summary.stepsPlanned).toBe(12);
      const best = await study.trial(3);
      expect(best?.value).toBe(3 + 30);
      expect(best?.attrs).toMatchObject({ runner: 'offset', pid: process.pid });
      expect(best?.steps.map((s) => s.values['score'])).toEqual([13, 23, 33]);
    } finally {
      await storage.close();
    }
  });

  it('runs them in worker processes, with the environment it gives, when the kind says so', async () => {
    const loaded = parseSpace(SPACE, 'offsets.yaml', tempDir());
    const storage = await openStorage(join(tempDir(), 'kinds.db'));
    const notes: string[] = [];
    try {
      const { study } = await openStudyFromSpace(storage, loaded, { resume: false });
      const objective = { offset: loaded.space.objective.offset!, processes: true };
      const summary = await optimizeStudy(study, objective, { workers: 2, onNote: (n) => notes.push(n) });
      expect(notes).toEqual(['offset runs 2 worker processes']);
      expect(summary).toMatchObject({ workers: 2, ran: 4 });
      const trials = await Promise.all([0, 1, 2, 3].map(async (n) => (await study.trial(n))!));
      for (const trial of trials) {
        // The space's ASHA may prune some, in the order the two processes finish them.
        expect(['complete', 'pruned']).toContain(trial.state);
        expect(trial.attrs).toMatchObject({ runner: 'offset', env: '2' });
        expect(trial.attrs?.['pid']).not.toBe(process.pid);
      }
      expect(trials[3]!.value).toBe(3 + 30);
    } finally {
      await storage.close();
    }
  });
});
