/** The steps of `npm run setup:native` and of its --check, in order; the CLI only parses and calls these. */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { addonLocation, buildAddon, installPackage, layOutDeps, removeUnbuiltSibling } from './addon.js';
import { missingCudaLibraries } from './cuda.js';
import { SetupError, tail } from './errors.js';
import { probeNative, type NativeProbe } from './probe.js';
import { readStamp, removeStamp, staleReason, writeStamp } from './stamp.js';
import { installedVersion, nativeTarget, wheelCacheDir, type NativeTarget, type Variant } from './target.js';
import { findToolchain } from './toolchain.js';
import { cachedWheel, downloadWheel, givenWheel, inspectWheel } from './wheel.js';

export interface SetupOptions {
  variant: Variant;
  /** --wheel; HPSEARCH_TF_WHEEL in `env` is the fallback. */
  wheel?: string | undefined;
  /** Set up again even when the stamp says it is done. */
  force?: boolean;
  root: string;
  env: NodeJS.ProcessEnv;
  /** One progress line (stdout). */
  log: (line: string) => void;
}

const PREFIX = 'native backend:';

/** Sets up the native package of `variant`, or says it already is. Throws SetupError. */
export async function setUpNative(options: SetupOptions): Promise<void> {
  const started = performance.now();
  const target = nativeTarget(options.variant, options.root);
  const given = givenWheel(options.wheel, options.env);
  if (options.force !== true && (await alreadySetUp(target, options, given?.file, started))) return;

  const cacheDir = wheelCacheDir(options.env);
  let wheel = given ?? cachedWheel(target, cacheDir);
  const toolchain = await findToolchain({ pip: wheel === undefined }, options.env);
  if (wheel === undefined) {
    if (toolchain.pip === undefined) throw new Error('findToolchain gave no pip although it was asked for one');
    const downloadStarted = performance.now();
    options.log(`${PREFIX} downloading ${target.wheelProject}==${target.tensorflowVersion} with pip from its configured index into ${cacheDir}`);
    wheel = await downloadWheel(target, toolchain.pip, cacheDir);
    options.log(`${PREFIX} downloaded ${basename(wheel.file)} (${megabytes(statSync(wheel.file).size)}, ${seconds(downloadStarted)})`);
  }
  const info = await inspectWheel(toolchain.python, wheel);
  options.log(`${PREFIX} wheel ${info.name} (${info.project} ${info.version}, from ${wheel.origin})`);
  if (target.variant === 'gpu' && /cpu/i.test(info.project)) options.log(`${PREFIX} note: ${info.project} has no CUDA in it; TensorFlow will not see a GPU with it`);

  let installedNow = false;
  if (installedVersion(target.pkgDir) === undefined) {
    const installStarted = performance.now();
    const spec = await installPackage(target, toolchain.npm, options.root);
    installedNow = true;
    options.log(`${PREFIX} installed ${spec} without its install script, which would download libtensorflow (${seconds(installStarted)})`);
  }
  const removed = removeUnbuiltSibling(target, options.root, hasAddon);
  if (removed !== undefined) options.log(`${PREFIX} removed ${removed} again: npm installed it along, without an addon`);

  try {
    removeStamp(target.pkgDir);
    const extractStarted = performance.now();
    await layOutDeps(target.pkgDir, toolchain.python, wheel);
    options.log(`${PREFIX} extracted libtensorflow ${info.version} into ${relative(options.root, target.pkgDir)}/deps (${seconds(extractStarted)})`);
    const buildStarted = performance.now();
    const addon = await buildAddon(toolchain, target.pkgDir);
    options.log(`${PREFIX} built the addon ${relative(target.pkgDir, addon)} offline (${seconds(buildStarted)})`);
    const probe = await probeNative(target.pkg, options.root, options.env);
    if (!probe.loads) throw new SetupError('failed', [`the addon was built but does not load: ${probe.reason}`], tail(probe.stderr));
    writeStamp(target.pkgDir, {
      package: target.pkg,
      packageVersion: probe.packageVersion,
      wheel: info,
      addon: relative(target.pkgDir, addon),
      node: process.version,
      builtAt: new Date().toISOString(),
    });
    options.log(`${PREFIX} ready: ${describe(target, probe)}; set up in ${seconds(started)}`);
    if (target.variant === 'gpu') await reportGpu(probe, options);
  } catch (error) {
    // A package without its addon would make `auto` try it on every run: leave none behind.
    if (installedNow) {
      rmSync(target.pkgDir, { recursive: true, force: true });
      options.log(`${PREFIX} removed ${target.pkg} again, as it was before this run`);
    }
    throw error;
  }
}

/** The quick path: the stamp matches and the addon loads. Says why it sets up again when not. */
async function alreadySetUp(target: NativeTarget, options: SetupOptions, wheelFile: string | undefined, started: number): Promise<boolean> {
  const stamp = readStamp(target.pkgDir);
  if (stamp === undefined && wheelFile === undefined && hasAddon(target.pkgDir)) {
    // Installed the normal way, its own download included: a working package is left as it is.
    const probe = await probeNative(target.pkg, options.root, options.env);
    if (probe.loads) {
      options.log(`${PREFIX} already works, installed by its own install script (${describe(target, probe)}); --force replaces its libtensorflow with the wheel's`);
      return true;
    }
  }
  const wheel = wheelFile === undefined ? undefined : { name: basename(wheelFile), size: statSync(wheelFile).size };
  const stale = staleReason(target.pkgDir, stamp, wheel);
  if (stale !== undefined) {
    if (stamp !== undefined) options.log(`${PREFIX} setting up again: ${stale}`);
    return false;
  }
  const probe = await probeNative(target.pkg, options.root, options.env);
  if (!probe.loads) {
    options.log(`${PREFIX} set up before, but does not load now (${probe.reason}); setting up again`);
    return false;
  }
  options.log(`${PREFIX} already set up (${describe(target, probe)}; checked in ${seconds(started)})`);
  if (target.variant === 'gpu') await reportGpu(probe, options);
  return true;
}

/** --check: whether the package loads and runs a kernel. */
export async function checkNative(options: Pick<SetupOptions, 'variant' | 'root' | 'env' | 'log'>): Promise<boolean> {
  const target = nativeTarget(options.variant, options.root);
  const probe = await probeNative(target.pkg, options.root, options.env);
  if (!probe.loads) {
    options.log(`${PREFIX} does not load: ${probe.reason}; \`npm run setup:native${target.variant === 'gpu' ? ' -- --gpu' : ''}\` sets it up`);
    return false;
  }
  options.log(`${PREFIX} loads (${describe(target, probe)})`);
  const noise = probe.stderr.trim().split('\n')[0];
  if (noise !== undefined && noise !== '') options.log(`${PREFIX} note: loading it wrote to stderr: ${noise}`);
  if (target.variant === 'gpu') await reportGpu(probe, options);
  return true;
}

function describe(target: NativeTarget, probe: Extract<NativeProbe, { loads: true }>): string {
  const gpu = target.variant === 'gpu' ? (probe.gpu ? ', sees a GPU' : ', sees no GPU') : '';
  return `tensorflow ${probe.tensorflowVersion}, ${target.pkg} ${probe.packageVersion}, backend "${probe.backend}"${gpu}`;
}

async function reportGpu(probe: Extract<NativeProbe, { loads: true }>, options: Pick<SetupOptions, 'env' | 'log'>): Promise<void> {
  options.log(`${PREFIX} --gpu is not yet tested on a GPU`);
  if (probe.gpu) return;
  const missing = await missingCudaLibraries(options.env);
  const why = missing.length > 0 ? `the dynamic loader cannot find ${missing.join(', ')}` : 'the CUDA libraries are found, so look at the driver (nvidia-smi)';
  options.log(`${PREFIX} TensorFlow sees no GPU and runs on the CPU: ${why}; see \`npm run setup:native -- --help\` for CUDA 12 and cuDNN 9`);
}

/** Whether a native package folder has the addon it loads: installed with a binary, by us or by its own download. */
function hasAddon(pkgDir: string): boolean {
  try {
    return existsSync(addonLocation(pkgDir).file);
  } catch {
    return false;
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}
