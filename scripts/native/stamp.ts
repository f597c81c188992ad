/**
 * What a finished setup recorded in the package's deps/ (which `npm ci` wipes along with the
 * package, stamp included): the next run compares it, and when it matches it only checks that the
 * addon loads instead of extracting a gigabyte again.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedVersion } from './target.js';
import type { WheelInfo } from './wheel.js';

export interface Stamp {
  package: string;
  packageVersion: string;
  wheel: { name: string; size: number; project: string; version: string };
  /** The addon's path inside the package, e.g. lib/napi-v8/tfjs_binding.node. */
  addon: string;
  /** What was built for: N-API addons run on any later Node, so these are for the record. */
  node: string;
  builtAt: string;
}

export function stampFile(pkgDir: string): string {
  return join(pkgDir, 'deps', 'hpsearch-native.json');
}

export function readStamp(pkgDir: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(stampFile(pkgDir), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

export function writeStamp(pkgDir: string, stamp: Stamp): void {
  writeFileSync(stampFile(pkgDir), `${JSON.stringify(stamp, null, 2)}\n`);
}

export function removeStamp(pkgDir: string): void {
  rmSync(stampFile(pkgDir), { force: true });
}

/**
 * Why the stamp does not describe what is installed now, or undefined when it does: the package
 * is the recorded version, its addon and libraries are there, and a wheel given now is the one
 * recorded (same file name and size).
 */
export function staleReason(pkgDir: string, stamp: Stamp | undefined, wheel: WheelInfo | { name: string; size: number } | undefined): string | undefined {
  if (stamp === undefined) return 'not set up yet';
  const version = installedVersion(pkgDir);
  if (version !== stamp.packageVersion) return `${stamp.package} is now ${version ?? 'not installed'}, set up for ${stamp.packageVersion}`;
  for (const file of [stamp.addon, 'deps/lib/libtensorflow_cc.so.2', 'deps/lib/libtensorflow_framework.so.2']) {
    if (!existsSync(join(pkgDir, file))) return `${file} is missing`;
  }
  if (wheel !== undefined && (wheel.name !== stamp.wheel.name || wheel.size !== stamp.wheel.size)) {
    return `set up from ${stamp.wheel.name} (${stamp.wheel.size} bytes), now given ${wheel.name} (${wheel.size} bytes)`;
  }
  return undefined;
}
