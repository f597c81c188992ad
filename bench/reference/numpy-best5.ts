/**
 * The best-5 trial in numpy (best5_numpy.py), measured in the same run as hpsearch's: the
 * reference for the best-5 wasm row. Same data, model, optimizer, batches and epochs; see the
 * script's docstring for what is timed.
 */
import { dirname } from 'node:path';
import { z } from 'zod';
import { mnistFiles } from '../../src/task/datasets/mnist.js';
import type { Reference } from '../report.js';
import { runPythonReference } from './python-reference.js';

/** Fixed, as any value the space can draw costs the same time; 0.01 trains visibly in 50 epochs. */
const LEARNING_RATE = 0.01;
const WEIGHT_DECAY = 1e-6;
const REPEATS = 5;
/** Chance is 0.1; the script reaches ~0.8. Below this it did not train, and its time means nothing. */
const MIN_VAL_ACCURACY = 0.5;

/** One thread, because an hpsearch trial runs on one worker thread. */
const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
/**
 * Workarounds for old OpenBLAS bugs that some machines set globally; they pick a slower kernel
 * or cache size, so the reference runs without them (this child process only).
 */
const OPENBLAS_OVERRIDES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

const NumpyBest5Output = z.object({
  unit: z.literal('s/trial'),
  samples: z.array(z.number()).min(1),
  median: z.number(),
  warmup: z.number(),
  val_accuracy: z.array(z.number()),
  numpy: z.string(),
  blas: z.string(),
  blas_name: z.string(),
  blas_source: z.string(),
  /** What the child saw of OPENBLAS_OVERRIDES: null each, since they are unset for it. */
  openblas_overrides: z.record(z.string(), z.string().nullable()),
});

/** Netlib's BLAS is the unoptimised one Debian's libblas3 ships: numpy is then far from its best. */
const NETLIB = 'netlib reference BLAS';

export async function measureNumpyBest5(): Promise<Reference> {
  const label = "numpy's time (the best-5 trial in numpy, 1 thread)";
  const result = await runPythonReference({
    script: 'best5_numpy.py',
    args: [
      '--mnist-dir', dirname(mnistFiles().trainImages),
      '--repeats', String(REPEATS),
      '--learning-rate', String(LEARNING_RATE),
      '--weight-decay', String(WEIGHT_DECAY),
    ],
    timeoutMs: 10 * 60_000,
    output: NumpyBest5Output,
    env: { set: ONE_THREAD, unset: OPENBLAS_OVERRIDES },
  });
  if (!result.ok) return { label, measured: false, reason: result.reason };
  const out = result.output;
  const accuracy = Math.min(...out.val_accuracy);
  if (!(accuracy >= MIN_VAL_ACCURACY)) {
    return { label, measured: false, reason: `the numpy trial did not train (val accuracy ${accuracy} < ${MIN_VAL_ACCURACY})` };
  }
  const blasName = out.blas_name === NETLIB ? `${NETLIB}, unoptimised` : out.blas_name;
  if (out.blas_name === NETLIB) {
    process.stderr.write(
      `bench: numpy here calls ${NETLIB} (${out.blas}), many times slower than an optimised one; ` +
        'apt-get install -y libopenblas0-pthread gives it OpenBLAS\n',
    );
  }
  const seen = Object.entries(out.openblas_overrides).filter(([, value]) => value !== null);
  return {
    label: `numpy's time (numpy ${out.numpy}, ${blasName}, 1 thread)`,
    value: out.median,
    unit: out.unit,
    measured: true,
    samples: out.samples,
    details: {
      python: result.python,
      numpy: out.numpy,
      blas: out.blas,
      blas_found_by: out.blas_source,
      threads: Object.entries(ONE_THREAD).map(([name, value]) => `${name}=${value}`).join(' '),
      unset: OPENBLAS_OVERRIDES.join(', '),
      overrides_in_child: seen.length === 0 ? 'none' : seen.map(([name, value]) => `${name}=${value}`).join(', '),
      warmup_s: out.warmup,
      val_accuracy: out.val_accuracy.join(', '),
    },
  };
}
