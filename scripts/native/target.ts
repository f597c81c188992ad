import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The hpsearch checkout this script belongs to (scripts/native/ is two levels below it). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Variant = 'cpu' | 'gpu';

/** What one variant builds: which tfjs-node package, against which TensorFlow wheel. */
export interface NativeTarget {
  variant: Variant;
  /** The npm package whose addon is built. */
  pkg: string;
  /** The other native package: left alone when set up, removed when npm pulled it in without a binary. */
  sibling: string;
  /** pip's project name of the wheel whose libtensorflow the addon links to. */
  wheelProject: string;
  /** The TensorFlow release this was tested with (the CPU one, on Linux x86-64). */
  tensorflowVersion: string;
  /** The folder the package lives in, whether or not it is installed yet. */
  pkgDir: string;
}

/**
 * TensorFlow 2.21.0 is what pip's index on our machines holds and what the setup was measured
 * with. Any 2.x wheel that ships libtensorflow_cc.so.2 with the C API should do; --wheel takes one.
 */
export const TENSORFLOW_VERSION = '2.21.0';

export function nativeTarget(variant: Variant, root = PROJECT_ROOT): NativeTarget {
  const cpu = '@tensorflow/tfjs-node';
  const gpu = '@tensorflow/tfjs-node-gpu';
  const pkg = variant === 'cpu' ? cpu : gpu;
  return {
    variant,
    pkg,
    sibling: variant === 'cpu' ? gpu : cpu,
    // The plain `tensorflow` wheel is the CUDA build on Linux x86-64; tensorflow-cpu leaves CUDA out.
    wheelProject: variant === 'cpu' ? 'tensorflow-cpu' : 'tensorflow',
    tensorflowVersion: TENSORFLOW_VERSION,
    pkgDir: join(root, 'node_modules', ...pkg.split('/')),
  };
}

/**
 * The version of `pkg` to install: the one package-lock.json pins (so every machine builds the
 * same tfjs-node), else the range in package.json's optionalDependencies.
 */
export function pinnedVersion(pkg: string, root = PROJECT_ROOT): string {
  const lockFile = join(root, 'package-lock.json');
  if (existsSync(lockFile)) {
    const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages?: Record<string, { version?: string }> };
    const version = lock.packages?.[`node_modules/${pkg}`]?.version;
    if (version !== undefined) return version;
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const range = manifest.optionalDependencies?.[pkg];
  if (range === undefined) throw new Error(`${pkg} is in neither package-lock.json nor package.json's optionalDependencies`);
  return range;
}

/** The installed version of a package folder, or undefined when it is not installed. */
export function installedVersion(pkgDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * Where downloaded wheels are kept: outside node_modules, which `npm ci` wipes, so a reinstall
 * needs no second download. HPSEARCH_CACHE_DIR, else $XDG_CACHE_HOME/hpsearch, else ~/.cache/hpsearch.
 */
export function wheelCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['HPSEARCH_CACHE_DIR'] ?? join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'hpsearch');
  return join(base, 'native');
}
