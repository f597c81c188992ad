/**
 * Picks and initialises the TF.js backend of a thread, once: every trial a worker runs shares it.
 *
 * Native backends: the @tensorflow/tfjs-node(-gpu) addon is not context-aware, so only one thread
 * per process can load it (tensorflow/tfjs issues 2079 and 8388); a second worker thread that
 * tries gets "Module did not self-register" or a crash. So a run on a native backend runs each
 * worker in a process of its own (the task kind's `workerProcesses`), whose environment sets
 * TensorFlow's log level and threads before the addon loads: set here, in a worker thread, it
 * would not reach TensorFlow. wasm and cpu have no such limit: each worker thread gets its own instance.
 */
import { HpsearchError } from '../errors.js';
import { registerFastGradients } from './fast-gradients.js';
import { NATIVE_PACKAGES, installHint, isInstalled } from './native-packages.js';
import type { BackendChoice, BackendName } from './types.js';
import type { Tf } from './tf.js';

export interface InitializedBackend {
  tf: Tf;
  backend: BackendName;
}

const started = new Map<BackendChoice, Promise<InitializedBackend>>();

/**
 * The backend for `choice`, initialised on the first call of this thread. `auto` takes the first
 * that works of tensorflow-gpu (only when the addon sees a GPU), tensorflow, wasm, cpu. An
 * explicit native choice whose package is missing rejects with E_USAGE naming the package.
 */
export function initBackend(choice: BackendChoice): Promise<InitializedBackend> {
  let promise = started.get(choice);
  if (promise === undefined) {
    promise = select(choice);
    started.set(choice, promise);
    // A failed explicit choice must not stick for this thread: the next call may come after a fix.
    promise.catch(() => started.delete(choice));
  }
  // Another choice may have switched the engine meanwhile; trials of this choice run on its backend.
  return promise.then(async (result) => {
    if (result.tf.getBackend() !== engineName(result.backend)) await result.tf.setBackend(engineName(result.backend));
    return result;
  });
}

async function select(choice: BackendChoice): Promise<InitializedBackend> {
  const tf = await import('@tensorflow/tfjs');
  if (choice === 'tensorflow-gpu' || choice === 'tensorflow') {
    const backend = await loadNative(tf, choice, true);
    if (backend === 'tensorflow' && choice === 'tensorflow-gpu') {
      throw new HpsearchError('E_USAGE', 'backend "tensorflow-gpu": @tensorflow/tfjs-node-gpu loaded but TensorFlow sees no GPU (check the CUDA and cuDNN install), or use backend "tensorflow"');
    }
    return { tf, backend: backend! };
  }
  if (choice === 'auto') {
    for (const native of ['tensorflow-gpu', 'tensorflow'] as const) {
      if (!isInstalled(NATIVE_PACKAGES[native])) continue;
      const backend = await loadNative(tf, native, false);
      // The GPU package without a GPU still runs TensorFlow on the CPU: keep it rather than
      // loading a second copy of libtensorflow from @tensorflow/tfjs-node.
      if (backend !== undefined) return { tf, backend };
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    if (await useWasm(tf)) return { tf, backend: 'wasm' };
    if (choice === 'wasm') throw new HpsearchError('E_USAGE', 'backend "wasm": @tensorflow/tfjs-backend-wasm failed to initialise');
  }
  await tf.setBackend('cpu');
  silenceCpuBanner(tf);
  registerFastGradients(tf);
  return { tf, backend: 'cpu' };
}

function engineName(backend: BackendName): string {
  return backend === 'tensorflow-gpu' ? 'tensorflow' : backend;
}

async function useWasm(tf: Tf): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return false;
    await tf.ready();
  } catch {
    return false;
  }
  registerFastGradients(tf);
  return true;
}

/**
 * Loads the addon of `native` and selects it. Returns the backend it gives ('tensorflow' when
 * the GPU package sees no GPU). With `required`, failures throw E_USAGE; otherwise undefined.
 */
async function loadNative(tf: Tf, native: 'tensorflow-gpu' | 'tensorflow', required: boolean): Promise<BackendName | undefined> {
  const pkg = NATIVE_PACKAGES[native];
  try {
    await importUntyped(pkg);
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its "tensorflow" backend did not initialise`);
  } catch (error) {
    if (!required) return undefined;
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${pkg}'`);
    const how = installHint(native);
    const message = missing
      ? `backend "${native}" needs the ${pkg} package, which is not installed: ${how}`
      : `backend "${native}": ${pkg} failed to load (${(error as Error).message}); reinstall it with ${how}`;
    throw new HpsearchError('E_USAGE', message, { cause: error });
  }
  if (native === 'tensorflow') return 'tensorflow';
  const engineBackend = tf.findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean } | null;
  return engineBackend?.isUsingGpuDevice === true ? 'tensorflow-gpu' : 'tensorflow';
}

/** A specifier held in a string so TypeScript does not look for the (absent) type declarations. */
function importUntyped(specifier: string): Promise<unknown> {
  return import(specifier);
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ..." on its
 * first tensor. Its `firstUse` flag is what gates it; clearing it silences just that banner
 * (enableProdMode would also hide every other TF.js warning of the thread).
 */
function silenceCpuBanner(tf: Tf): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}
