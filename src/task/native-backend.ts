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

/**
 * The environment of a process that may load a native backend, set before the addon loads: no
 * TensorFlow C++ log lines (TF_CPP_MIN_LOG_LEVEL), and oneDNN's custom ops off, which also keeps
 * TensorFlow 2.21 from printing its absl and oneDNN banners whatever the log level. A user's own
 * settings of either win.
 */
export function nativeProcessEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, TF_CPP_MIN_LOG_LEVEL: base['TF_CPP_MIN_LOG_LEVEL'] ?? '3', TF_ENABLE_ONEDNN_OPTS: base['TF_ENABLE_ONEDNN_OPTS'] ?? '0' };
}
