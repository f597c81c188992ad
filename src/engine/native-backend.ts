import { createRequire } from 'node:module';
import { HpsearchError } from '../errors.js';
import type { BackendChoice } from '../task/types.js';

const PACKAGE_OF = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

function resolves(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the workers would load a native TensorFlow backend: asked for by name, or `auto` with
 * one of the packages installed. Decided on the main thread by resolving the package, never by
 * loading it (a thread that loads the addon makes it unusable for the workers).
 */
export function nativeBackendRequested(choice: BackendChoice): boolean {
  if (choice === 'tensorflow' || choice === 'tensorflow-gpu') return true;
  return choice === 'auto' && Object.values(PACKAGE_OF).some(resolves);
}

/** Fails before any worker starts when a native backend is asked for by name and not installed. */
export function checkBackendInstalled(choice: BackendChoice): void {
  if (choice !== 'tensorflow' && choice !== 'tensorflow-gpu') return;
  const name = PACKAGE_OF[choice];
  if (resolves(name)) return;
  throw new HpsearchError(
    'E_USAGE',
    `--backend ${choice} needs ${name}, which is not installed: run \`npm install ${name}\` ` +
      '(its install downloads libtensorflow, so it needs internet access), or use --backend wasm',
  );
}
