import { availableParallelism } from 'node:os';
import { HpsearchError } from '../errors.js';
import type { WorkerProcessSetup } from '../space/objective-kind.js';
import { NATIVE_PACKAGES, installHint, isInstalled } from './native-packages.js';
import type { BackendChoice } from './types.js';

/**
 * Whether the workers would load a native TensorFlow backend: asked for by name, or `auto` with
 * one of the packages installed. Decided in the run's process by resolving the package, never by
 * loading it: the run's process never loads the addon (its worker processes do).
 */
export function nativeBackendRequested(choice: BackendChoice): boolean {
  if (choice === 'tensorflow' || choice === 'tensorflow-gpu') return true;
  return choice === 'auto' && Object.values(NATIVE_PACKAGES).some(isInstalled);
}

/** Fails before any worker starts when a native backend is asked for by name and not installed. */
export function checkBackendInstalled(choice: BackendChoice): void {
  if (choice !== 'tensorflow' && choice !== 'tensorflow-gpu') return;
  const name = NATIVE_PACKAGES[choice];
  if (isInstalled(name)) return;
  throw new HpsearchError('E_USAGE', `--backend ${choice} needs ${name}, which is not installed: ${installHint(choice)}`);
}

/**
 * A line TensorFlow's C++ runtime logs to stderr: absl's `I0000 00:00:1796162054.540446   24116
 * port.cc:153] ...` (TF 2.16 and later; before absl is initialised the time is seconds since 1970) and the older `2024-01-31 12:00:00.123456: I
 * tensorflow/core/...cc:193] ...`, in any severity; absl's `WARNING: All log messages before
 * absl::InitializeLog() is called are written to STDERR`, printed whatever TF_CPP_MIN_LOG_LEVEL
 * says once oneDNN is on; and the second line of the CPU-feature notice.
 */
export const TENSORFLOW_LOG_LINE =
  /^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\s:\]]+:\d+\] |\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] [^\s:\]]+:\d+\] |WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.$)/;

/**
 * The worker processes of a run on a native backend. The tfjs-node addon is not context-aware
 * (tensorflow/tfjs issues 2079 and 8388): one thread per process may load it, so N trials at once
 * need N processes. TensorFlow reads its settings from the environment as the addon loads:
 *
 * - `TF_CPP_MIN_LOG_LEVEL=2` drops its info and warning lines (the rest are filtered by
 *   TENSORFLOW_LOG_LINE);
 * - `TF_ENABLE_ONEDNN_OPTS=1`: oneDNN's kernels. Measured on 2 cores, TF 2.21: cnn.yaml trials
 *   about 15% faster on 1 and on 2 processes, optimizers.yaml 6% on 1 and even on 2; the tiny
 *   best-5 MLP 20% slower on 1 process of 2 threads and even on 2 processes (and faster on wasm
 *   anyway). It prints its notice whatever TF_CPP_MIN_LOG_LEVEL says: TENSORFLOW_LOG_LINE drops it;
 * - the threads: each process gets an equal share of the cores, `TF_NUM_INTRAOP_THREADS` for the
 *   threads inside one op (TF's own pool, which oneDNN runs on too in this build: it links no
 *   OpenMP) and `OMP_NUM_THREADS` for builds whose oneDNN uses OpenMP. Measured: cnn.yaml on 2
 *   cores, 2 processes × 1 thread 4.3 s a trial against 4.5 s for 2 × 2 and 6.2 s for 1 × 2.
 *   One inter-op thread: eager ops run one at a time (2 measured the same);
 * - `TF_FORCE_GPU_ALLOW_GROWTH=true`: on a GPU, each process takes memory as it needs it instead
 *   of nearly all of it at start, so that several processes can share one device (not yet tested
 *   on a GPU; the CPU builds ignore it).
 */
export function nativeWorkerProcesses(processes: number, cores = availableParallelism()): WorkerProcessSetup {
  const threads = Math.max(1, Math.floor(cores / processes));
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return {
    env: {
      TF_CPP_MIN_LOG_LEVEL: '2',
      TF_ENABLE_ONEDNN_OPTS: '1',
      TF_NUM_INTRAOP_THREADS: String(threads),
      TF_NUM_INTEROP_THREADS: '1',
      OMP_NUM_THREADS: String(threads),
      TF_FORCE_GPU_ALLOW_GROWTH: 'true',
    },
    quiet: TENSORFLOW_LOG_LINE,
    note:
      `the native TensorFlow backend loads in one thread per process: running ${plural(processes, 'worker process', 'worker processes')}, ` +
      `${plural(threads, 'TensorFlow thread', 'TensorFlow threads')} each (TF_NUM_INTRAOP_THREADS)`,
  };
}
