import { createRequire } from 'node:module';

/** The npm package behind each native TensorFlow backend (optional dependencies). */
export const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const;

export type NativeBackend = keyof typeof NATIVE_PACKAGES;

/**
 * Whether a package can be found, without loading it: the main thread asks this about the
 * native addons, which it must never load itself.
 */
export function isInstalled(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** How to get a native backend that is not installed: one message for the main thread and the workers. */
export function installHint(native: NativeBackend): string {
  const pkg = NATIVE_PACKAGES[native];
  const offline = native === 'tensorflow'
    ? "; without it, npm run setup:native builds it offline from pip's tensorflow-cpu wheel"
    : "; without it, npm run setup:native -- --gpu builds it from pip's tensorflow wheel (not yet tested on a GPU)";
  return `npm install ${pkg} (its install downloads libtensorflow, so it needs internet access${offline}), or use backend "wasm"`;
}
