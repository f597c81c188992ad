import { join } from 'node:path';
import type { BackendName } from '../../src/task/types.js';
import { NATIVE_PACKAGES, isInstalled } from '../../src/task/native-packages.js';
import { median, type BenchRow } from '../report.js';
import { runSpace, SPACES, trialSeconds } from './run-space.js';

/** The spaces whose trials are timed on each backend, and how many trials make a measurement. */
const SPACE_TRIALS: readonly { space: string; trials: number }[] = [
  { space: 'cnn.yaml', trials: 2 },
  { space: 'optimizers.yaml', trials: 2 },
];

/**
 * Native TensorFlow against wasm, side by side in one run: seconds per trial of the CNN and
 * optimizer spaces with 1 and 2 workers on each, and the wall time of 2 trials on 2 workers.
 * Each tensorflow row is held against the wasm row of the same space and workers, measured just
 * before it: targets are tensorflow ≤ 0.45× wasm for the CNN's 2 trials on 2 workers, ≤ 0.4× for
 * an optimizers trial.
 */
export async function nativeBackends(): Promise<BenchRow[]> {
  if (!isInstalled(NATIVE_PACKAGES.tensorflow)) {
    return [{ name: 'native backends: skipped (@tensorflow/tfjs-node is not installed; npm run setup:native)', median: Number.NaN, unit: '-', samples: [] }];
  }
  const rows: BenchRow[] = [];
  for (const { space, trials } of SPACE_TRIALS) {
    for (const workers of [1, 2]) {
      const wall: Partial<Record<BackendName, number>> = {};
      const perTrial: Partial<Record<BackendName, number>> = {};
      for (const backend of ['wasm', 'tensorflow'] as const) {
        const run = await runSpace(join(SPACES, space), trials, workers, backend);
        const seconds = trialSeconds(run.trials);
        wall[backend] = run.wallMs / 1000;
        perTrial[backend] = median(seconds);
        const isTarget = backend === 'tensorflow' && ((space === 'cnn.yaml' && workers === 2) || (space === 'optimizers.yaml' && workers === 1));
        const label = space === 'cnn.yaml' && workers === 2 ? 'wall time' : 'seconds per trial';
        const value = label === 'wall time' ? wall[backend] : perTrial[backend];
        rows.push({
          name: `${space}, ${trials} trials, ${workers} worker${workers === 1 ? '' : 's'}, ${backend} (${label})`,
          median: value,
          unit: label === 'wall time' ? 's' : 's/trial',
          samples: label === 'wall time' ? [value] : seconds,
          ...(backend === 'tensorflow'
            ? {
                reference: {
                  label: `wasm's ${label} (same space and workers, this run)`,
                  value: label === 'wall time' ? wall.wasm! : perTrial.wasm!,
                  unit: label === 'wall time' ? 's' : 's/trial',
                  measured: true as const,
                  samples: [label === 'wall time' ? wall.wasm! : perTrial.wasm!],
                },
                ...(isTarget ? { target: (space === 'cnn.yaml' ? 0.45 : 0.4) * (label === 'wall time' ? wall.wasm! : perTrial.wasm!) } : {}),
                notes: `trained on ${[...new Set(run.trials.map((t) => String(t.attrs?.backend)))].join(', ')}`,
              }
            : {}),
        });
      }
    }
  }
  return rows;
}
