/** Getting the TensorFlow wheel whose libtensorflow the addon links to, and reading it (wheel.py). */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './command.js';
import { SetupError, tail } from './errors.js';
import type { NativeTarget } from './target.js';
import type { Program } from './toolchain.js';

const READER = fileURLToPath(new URL('./wheel.py', import.meta.url));

export interface WheelFile {
  file: string;
  /** Where it came from, for the progress line: `--wheel`, `HPSEARCH_TF_WHEEL`, `the cache`, `pip's index`. */
  origin: string;
}

/** The wheel named by --wheel or HPSEARCH_TF_WHEEL, checked to exist; undefined when neither is set. */
export function givenWheel(option: string | undefined, env: NodeJS.ProcessEnv = process.env): WheelFile | undefined {
  const [value, origin] = option !== undefined ? [option, '--wheel'] : [env['HPSEARCH_TF_WHEEL'], 'HPSEARCH_TF_WHEEL'];
  if (value === undefined || value === '') return undefined;
  const file = resolve(value);
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    // Reported below: the path names nothing.
  }
  if (!isFile) {
    throw new SetupError('missing', [`the TensorFlow wheel: ${origin} names ${file}, and no file is there; pass the .whl that pip download gives (see --help)`]);
  }
  return { file, origin };
}

/** pip's file name for a wheel starts with the project, `-` replaced by `_`, then the version. */
function wheelPrefix(target: NativeTarget): string {
  return `${target.wheelProject.replace(/[-.]+/g, '_')}-${target.tensorflowVersion}-`;
}

/** A wheel of the target's project and version downloaded by an earlier run, if any. */
export function cachedWheel(target: NativeTarget, cacheDir: string): WheelFile | undefined {
  if (!existsSync(cacheDir)) return undefined;
  const name = readdirSync(cacheDir).find((entry) => entry.startsWith(wheelPrefix(target)) && entry.endsWith('.whl'));
  return name === undefined ? undefined : { file: join(cacheDir, name), origin: 'the cache' };
}

/**
 * Downloads the wheel with pip from its configured index (and nowhere else), into a folder of
 * its own first, so that an interrupted download never looks like a cached wheel.
 */
export async function downloadWheel(target: NativeTarget, pip: Program, cacheDir: string): Promise<WheelFile> {
  const requirement = `${target.wheelProject}==${target.tensorflowVersion}`;
  const partial = join(cacheDir, `.download-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const args = [...pip.args, 'download', requirement, '--no-deps', '--only-binary=:all:', '--dest', partial, '--progress-bar', 'off', '--disable-pip-version-check'];
    const result = await runCommand(pip.file, args);
    const name = readdirSync(partial).find((entry) => entry.endsWith('.whl'));
    if (result.code !== 0 || name === undefined) {
      throw new SetupError(
        'missing',
        [`the TensorFlow wheel: pip could not download ${requirement} from its index; get the wheel where you can (pip download ${requirement} --no-deps --only-binary=:all:) and pass it with --wheel FILE`],
        tail(result.output, 12),
      );
    }
    const file = join(cacheDir, name);
    renameSync(join(partial, name), file);
    return { file, origin: "pip's index" };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

export interface WheelInfo {
  /** The file name, as pip named it: recorded in the stamp. */
  name: string;
  size: number;
  project: string;
  version: string;
}

/** Reads the wheel's metadata, checking it holds the libraries and headers: a bad wheel is `missing` (exit 2). */
export async function inspectWheel(python: string, wheel: WheelFile): Promise<WheelInfo> {
  const result = await runCommand(python, [READER, 'inspect', wheel.file]);
  if (result.code !== 0) throw new SetupError('missing', [`a usable TensorFlow wheel (${wheel.origin}): ${result.stderr.trim() || tail(result.output, 3)}`]);
  const { project, version } = JSON.parse(result.stdout) as { project: string; version: string };
  return { name: basename(wheel.file), size: statSync(wheel.file).size, project, version };
}

/** Writes `dir/lib/` (the two libraries) and `dir/include/` (the headers the addon's `sources` include). */
export async function extractWheel(python: string, wheel: WheelFile, dir: string, sources: string): Promise<void> {
  const result = await runCommand(python, [READER, 'extract', wheel.file, dir, sources]);
  if (result.code !== 0) throw new SetupError('failed', [`extracting ${basename(wheel.file)} into ${dir} failed`], tail(result.output));
}
