import { join } from 'node:path';
import type { BackendName } from '../../src/task/types.js';
import { NATIVE_PACKAGES, isInstalled } from '../../src/task/native-packages.js';
import { runSpace, SPACES, trialSeconds, type StudyRun } from './run-space.js';
import { measureNumpyBest5 } from '../reference/numpy-best5.js';
import { median, type BenchRow } from '../report.js';

const BEST5 = join(SPACES, 'best5.yaml');
/** Training examples a best-5 trial sees: 400 per epoch × 50 epochs. */
const SAMPLES_PER_TRIAL = 400 * 50;

/** Runs `trials` trials of search-spaces/best5.yaml in a fresh database. */
function runBest5(trials: number, workers: number, backend: BackendName): Promise<StudyRun> {
  return runSpace(BEST5, trials, workers, backend);
}

/**
 * Best-5 training ("Deep Learning from Scratch" ch. 6): seconds per trial per backend with 1
 * and 2 workers, samples/s, the whole 100-trial study on 2 workers, peak RSS and tensor leaks.
 * The wasm 1-worker row is held against the same trial in numpy on one thread
 * (bench/reference/best5_numpy.py), measured first in this run.
 */
export async function best5Training(): Promise<BenchRow[]> {
  const numpy = await measureNumpyBest5();
  const rows: BenchRow[] = [];
  const backends: BackendName[] = ['wasm', 'cpu'];
  if (isInstalled(NATIVE_PACKAGES.tensorflow)) backends.unshift('tensorflow');
  for (const backend of backends) {
    // The plain-JS cpu backend is ~25x slower: a couple of trials tell its speed.
    const count = backend === 'cpu' ? 2 : 10;
    for (const workers of backend === 'cpu' ? [1] : [1, 2]) {
      const run = await runBest5(count, workers, backend);
      const seconds = trialSeconds(run.trials);
      rows.push({
        name: `best-5 trial, ${backend}, ${workers} worker${workers === 1 ? '' : 's'} (median of ${seconds.length})`,
        median: median(seconds),
        unit: 's/trial',
        samples: seconds,
        ...(backend === 'wasm' && workers === 1 ? { target: 1.0, reference: numpy } : {}),
      });
      rows.push({
        name: `  throughput, ${backend}, ${workers} worker${workers === 1 ? '' : 's'}`,
        median: (SAMPLES_PER_TRIAL * seconds.length) / (run.wallMs / 1000),
        unit: 'samples/s',
        samples: [],
      });
    }
  }

  if (isInstalled(NATIVE_PACKAGES.tensorflow)) {
    // The same 100-trial study on native TensorFlow, for the side-by-side the Backends section shows.
    const native = await runBest5(100, 2, 'tensorflow');
    const done = native.trials.filter((t) => t.state === 'complete');
    rows.push({
      name: 'best-5 study, 100 trials, 2 workers, tensorflow (wall time)',
      median: native.wallMs / 1000,
      unit: 's',
      samples: [native.wallMs / 1000],
      notes: `best val_accuracy ${Math.max(...done.map((t) => t.value!)).toFixed(3)}; ${done.length} complete`,
    });
  }
  const full = await runBest5(100, 2, 'wasm');
  const complete = full.trials.filter((t) => t.state === 'complete');
  const best = [...complete].sort((a, b) => b.value! - a.value!)[0];
  const leaks = full.trials.map((t) => Number(t.attrs?.['tensors_leaked'] ?? 0));
  rows.push(
    {
      name: 'best-5 study, 100 trials, 2 workers, wasm (wall time)',
      median: full.wallMs / 1000,
      unit: 's',
      samples: [full.wallMs / 1000],
      target: 60,
      notes: `best val_accuracy ${best?.value?.toFixed(3)} at lr ${Number(best?.params['learning_rate']).toExponential(1)}; ${complete.length} complete`,
    },
    {
      name: '  peak RSS per worker over the 100 trials (process peak less start, / 2)',
      median: (full.peakRssMb - full.baselineRssMb) / 2,
      unit: 'MB',
      samples: [full.peakRssMb, full.baselineRssMb],
      target: 500,
    },
    {
      name: '  tensors leaked per trial (max over 100 trials)',
      median: Math.max(...leaks),
      unit: 'tensors',
      samples: leaks,
      target: 0,
    },
  );
  return rows;
}
