import { HpsearchError } from '../errors.js';
import { NATIVE_PACKAGES, installHint, isInstalled } from './native-packages.js';
import type { BackendChoice } from './types.js';

/**
 * Whether the workers would load a native TensorFlow backend: asked for by name, or `auto` with
 * one of the packages installed. Decided on the main thread by resolving the package, never by
 * loading it (a thread that loads the addon makes it unusable for the workers).
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

