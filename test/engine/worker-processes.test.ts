/**
 * The run loop over worker processes (a kind whose `workerProcesses` asks for them): what a run
 * does when one dies, when trials keep failing, and when it is interrupted. Real processes, real
 * SQLite files; the trials are test/fixtures/kinds/process-runner.mjs, registered as the `proc`
 * kind here.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { registerObjectiveKind, type ObjectiveKind } from '../../src/space/objective-kind.js';
import { createStudy } from '../../src/study/create.js';
import type { Study } from '../../src/study/study.js';
import { REPO, useTempDir } from '../helpers/temp.js';
import { waitUntil } from '../helpers/wait.js';

type ProcData = Record<string, unknown>;

declare module '../../src/space/objective-kind.js' {
  interface ObjectiveSources {
    proc: { proc: ProcData };
  }
}

const RUNNER = pathToFileURL(join(REPO, 'test', 'fixtures', 'kinds', 'process-runner.mjs')).href;

const procKind: ObjectiveKind<ProcData> = {
  name: 'proc',
  schema: z.record(z.string(), z.unknown()),
  description: 'Test kind: process-runner.mjs in worker processes.',
  nested: false,
  defaultMetric: 'score',
  check: (objective) => objective['proc'] as ProcData,
  workerProcesses: () => ({ env: {} }),
  plannedSteps: () => null,
  workerJob: (data) => ({ runner: RUNNER, data }),
};
registerObjectiveKind(procKind);

const tempDir = useTempDir();

function procStudy(name: string, trials: number): Promise<Study> {
  return createStudy({
    name,
    storage: join(tempDir(), `${name}.db`),
    direction: 'maximize',
    metric: 'score',
    seed: 1,
    search: { strategy: 'random', trials },
    params: { x: { type: 'int', low: 0, high: 100 } },
  });
}

describe('worker processes that die', () => {
  it('a trial whose process is killed mid-trial runs again from the start in a new process; the study ends with exactly its budget', async () => {
    const study = await procStudy('killed', 3);
    const notes: string[] = [];
    try {
      // Every trial's process dies (SIGKILL) after its first step, the first time the trial runs.
      const summary = await study.optimize({ proc: { die: 'after-report', once: tempDir() } }, { workers: 2, onNote: (n) => notes.push(n) });
      expect(summary).toMatchObject({ ran: 3, restarted: 3, failed: 0, released: 0 });
      expect(await study.counts()).toMatchObject({ complete: 3, queued: 0, running: 0, failed: 0 });
      const lost = notes.filter((n) => /^trial \d: worker process \d+ killed by SIGKILL during the trial; it goes back to the queue and runs again from the start, in a new worker process$/.test(n));
      expect(lost.map((n) => n.slice(0, 7)).sort()).toEqual(['trial 0', 'trial 1', 'trial 2']);
      for (const number of [0, 1, 2]) {
        const trial = (await study.trial(number))!;
        // Its steps are the second run's, each once, and its value the same params' result.
        expect(trial.steps.map((s) => s.step)).toEqual([1, 2, 3]);
        expect(trial.value).toBe((trial.params['x'] as number) + 3);
      }
    } finally {
      await study.close();
    }
  });

  it('a trial that kills its process every time is stored failed the second time, not run forever; --max-failures counts it', async () => {
    const study = await procStudy('always', 10);
    try {
      const run = study.optimize({ proc: { die: 'after-report' } }, { workers: 1, maxFailures: 2 });
      await expect(run).rejects.toMatchObject({ code: 'E_OBJECTIVE', message: expect.stringMatching(/^stopped after 2 failed trials \(--max-failures 2\)/) });
      expect(await study.counts()).toMatchObject({ failed: 2, running: 0, complete: 0 });
      const [first] = await study.trials();
      expect((await study.trial(first!.number))!.error).toMatch(
        /^worker process \d+ killed by SIGKILL during the trial, as one did the first time it ran: stored failed rather than run a third time$/,
      );
    } finally {
      await study.close();
    }
  });

  it('a process that cannot start fails the run with E_WORKER at its first trial, and gives the trial back', async () => {
    const study = await procStudy('cannot-start', 5);
    try {
      await expect(study.optimize({ proc: { die: 'at-start' } }, { workers: 2 })).rejects.toMatchObject({ code: 'E_WORKER' });
      const counts = await study.counts();
      // Nothing ran; what was claimed is back in the queue.
      expect(counts).toMatchObject({ running: 0, complete: 0, failed: 0 });
    } finally {
      await study.close();
    }
  });

  it('after an interrupt, trials still running when the grace period ends are stopped (their processes killed) and go back to the queue', async () => {
    const dir = tempDir();
    const mark = join(dir, 'marks');
    mkdirSync(mark);
    const study = await procStudy('grace', 4);
    try {
      const interrupt = new AbortController();
      // Held after their first step until a file that never appears: only the grace period's end stops them.
      const run = study.optimize({ proc: { hold: join(dir, 'never'), mark } }, { workers: 2, signal: interrupt.signal, graceMs: 200 });
      await waitUntil('two trials have reported a step', () => readdirSync(mark).length === 2);
      const pids = readdirSync(mark).map((name) => Number(name.split('-')[1]));
      interrupt.abort();
      expect(await run).toMatchObject({ interrupted: true, released: 2, ran: 0 });
      const trials = await study.trials();
      expect(trials.map((t) => t.state)).toEqual(['queued', 'queued']);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await study.close();
    }
  });
});
