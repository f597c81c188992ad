import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpaceFile } from '../../src/space/load.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage, TrialRecord } from '../../src/storage/storage.js';
import { openStudyFromSpace } from '../../src/study/create.js';
import { exportModel } from '../../src/study/export-model.js';
import type { SaveModels } from '../../src/space/types.js';
import { median, type BenchRow } from '../report.js';
import { SPACES, trialSeconds } from './run-space.js';

const BEST5 = join(SPACES, 'best5.yaml');
const CNN = join(SPACES, 'cnn.yaml');
/** Rounds of best-5 trials, alternating without and with saving, so drift on the machine hits both. */
const ROUNDS = 4;
const TRIALS_PER_ROUND = 5;
const EXPORTS = 20;

interface ModelRun {
  trials: TrialRecord[];
  /** Bytes of each kept model. */
  bytes: number[];
  /** Export of the best trial's model to a fresh folder, ms each. */
  exportMs: number[];
}

/** Runs `trials` trials of a task space on wasm, 1 worker, keeping every model or none; then times exports. */
async function run(file: string, trials: number, saveModels: SaveModels | null, exports: number): Promise<ModelRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-models-'));
  const storage: Storage = await openStorage(join(dir, 'bench.db'));
  try {
    const loaded = await loadSpaceFile(file);
    const { study } = await openStudyFromSpace(storage, loaded, { resume: false });
    await study.optimize({ task: study.space.objective.task!, backend: 'wasm' }, { trials, workers: 1, saveModels });
    const kept = await storage.listTrialModels(study.id);
    const exportMs: number[] = [];
    for (let i = 0; i < exports; i++) {
      const started = performance.now();
      await exportModel(storage, study.name, { out: join(dir, `export-${i}`) });
      exportMs.push(performance.now() - started);
    }
    return { trials: await study.trials(), bytes: kept.map((m) => m.bytes), exportMs };
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Issue 17's targets: keeping a trial's model (converting it to a TF.js Layers model in the
 * worker, sending it, storing it) costs <= 5% of a best-5 trial's time; the size of a best-5 and
 * of a CNN model; the time `hpsearch export` takes. Best-5 trials run on wasm with 1 worker, in
 * rounds alternating saving off and `save_models: all` (every trial converted and stored, the
 * most saving can cost); the reference is the same trials without saving, in the same run.
 */
export async function modelsBench(): Promise<BenchRow[]> {
  const plain: number[] = [];
  const saving: number[] = [];
  let best5: ModelRun | null = null;
  for (let r = 0; r < ROUNDS; r++) {
    const order: (SaveModels | null)[] = r % 2 === 0 ? [null, { top: 'all' }] : [{ top: 'all' }, null];
    for (const save of order) {
      const result = await run(BEST5, TRIALS_PER_ROUND, save, save === null ? 0 : EXPORTS);
      (save === null ? plain : saving).push(...trialSeconds(result.trials));
      if (save !== null) best5 = result;
    }
    process.stderr.write(`  round ${r + 1}/${ROUNDS}: without ${median(plain).toFixed(3)} s, with ${median(saving).toFixed(3)} s per trial so far\n`);
  }
  const cnn = await run(CNN, 1, { top: 1 }, 5);
  const kb = (bytes: number[]) => bytes.map((b) => b / 1024);
  return [
    {
      name: `best-5 trial keeping its model (save_models: all), wasm, 1 worker (median of ${saving.length})`,
      median: median(saving),
      unit: 's/trial',
      samples: saving,
      reference: { label: 'the same trials without saving, same run', value: median(plain), unit: 's/trial', measured: true, samples: plain },
    },
    {
      name: "  saving's share of a best-5 trial: (with - without) / without, of the medians",
      median: (median(saving) - median(plain)) / median(plain),
      unit: '×',
      samples: [],
      target: 0.05,
      notes: 'the whole cost: conversion to a Layers model in the worker, the trip to the main thread, the SQLite write and the top-N pruning',
    },
    { name: '  size of a best-5 model (MLP 784-100×6-10, model.json + weights)', median: median(kb(best5!.bytes)), unit: 'KiB', samples: kb(best5!.bytes) },
    { name: '  size of a cnn.yaml model', median: median(kb(cnn.bytes)), unit: 'KiB', samples: kb(cnn.bytes) },
    { name: `  hpsearch export of the best best-5 model (library call, SQLite, ${EXPORTS} times)`, median: median(best5!.exportMs), unit: 'ms', samples: best5!.exportMs },
    { name: '  hpsearch export of the cnn.yaml model (5 times)', median: median(cnn.exportMs), unit: 'ms', samples: cnn.exportMs },
  ];
}
