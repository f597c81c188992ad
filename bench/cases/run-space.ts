import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpaceFile } from '../../src/space/load.js';
import { withOverrides, type SpaceOverrides } from '../../src/space/overrides.js';
import { openStorage } from '../../src/storage/open.js';
import type { TrialRecord } from '../../src/storage/storage.js';
import { openStudyFromSpace } from '../../src/study/create.js';
import type { PackSetting } from '../../src/space/types.js';
import type { BackendName } from '../../src/task/types.js';

export const SPACES = join(import.meta.dirname, '..', '..', 'search-spaces');

export interface StudyRun {
  trials: TrialRecord[];
  wallMs: number;
  peakRssMb: number;
  baselineRssMb: number;
}

/**
 * Runs `trials` trials of a task space file in a fresh database on `backend`, sampling this
 * process's RSS; `overrides` change the file as `hpsearch run`'s flags do (e.g. `{ seed: 43 }`).
 * `pack`: off unless given, so that each trial's own start and end time it alone (a packed
 * trial's span is its whole pack's).
 */
export async function runSpace(
  file: string,
  trials: number,
  workers: number,
  backend: BackendName,
  overrides: SpaceOverrides = {},
  pack: PackSetting = 'off',
): Promise<StudyRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  const storage = await openStorage(join(dir, 'bench.db'));
  try {
    const loaded = withOverrides(await loadSpaceFile(file), file, overrides);
    const { study } = await openStudyFromSpace(storage, loaded, { resume: false });
    const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
    let peak = baselineRssMb;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)), 100);
    const started = performance.now();
    await study.optimize({ task: study.space.objective.task!, backend }, { trials, workers, pack });
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    return { trials: await study.trials(), wallMs, peakRssMb: peak, baselineRssMb };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds each complete trial took, start to end. */
export function trialSeconds(trials: readonly TrialRecord[]): number[] {
  return trials.filter((t) => t.state === 'complete').map((t) => (t.endedAt! - t.startedAt!) / 1000);
}
