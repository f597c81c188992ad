/**
 * What building the addon needs from the machine, found before anything is changed. Each piece
 * that is missing becomes one line naming it and how to install it (Debian's apt-get names, as
 * on our machines and CI); they are reported together, so one round of installs fixes them all.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { findExecutable, runCommand } from './command.js';
import { SetupError } from './errors.js';
import { PROJECT_ROOT } from './target.js';

/** A program and the arguments that come before its own: `python3 -m pip`, `node npm-cli.js`. */
export interface Program {
  file: string;
  args: readonly string[];
}

export interface Toolchain {
  python: string;
  /** Present when the wheel has to come from pip's index. */
  pip?: Program;
  npm: Program;
  /** npm's own node-gyp. */
  nodeGyp: string;
  /** The folder with include/node/node_api.h: passed as --nodedir, so node-gyp downloads nothing. */
  nodeDir: string;
  /** Environment for the build: CXX when the compiler is not the g++ that gyp's Makefiles default to. */
  buildEnv: Record<string, string>;
}

export interface ToolchainNeeds {
  /** pip is needed only when no wheel was given and none is cached. */
  pip: boolean;
}

type Found<T> = T | { missing: string };

/** Finds every piece, or throws one `missing` SetupError listing all that are absent. */
export async function findToolchain(needs: ToolchainNeeds, env: NodeJS.ProcessEnv = process.env): Promise<Toolchain> {
  const missing: string[] = [];
  const take = <T>(found: Found<T>): T | undefined => {
    if (typeof found === 'object' && found !== null && 'missing' in found) {
      missing.push(found.missing);
      return undefined;
    }
    return found;
  };
  const platform = take(checkPlatform());
  const python = take(await findPython(env));
  const pip = needs.pip && python !== undefined ? take(await findPip(python, env)) : undefined;
  const npm = take(findNpm(env));
  const nodeGyp = npm === undefined ? undefined : take(findNodeGyp(npm, env));
  const nodeDir = take(await findNodeDir(npm, env));
  const compiler = take(findCompiler(env));
  const make = take(findMake(env));
  if (missing.length > 0 || platform === undefined || python === undefined || npm === undefined || nodeGyp === undefined || nodeDir === undefined || compiler === undefined || make === undefined) {
    throw new SetupError('missing', missing);
  }
  return { python, ...(pip === undefined ? {} : { pip }), npm, nodeGyp, nodeDir, buildEnv: compiler };
}

/** The wheels hold Linux x86-64 libraries built for glibc 2.27 or newer (manylinux_2_27). */
export function checkPlatform(): Found<true> {
  const elsewhere = 'on this platform `npm install @tensorflow/tfjs-node` downloads a prebuilt libtensorflow instead';
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { missing: `Linux on x86-64 (this is ${process.platform}-${process.arch}): the TensorFlow wheels this script reads hold Linux x86-64 libraries; ${elsewhere}` };
  }
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const glibc = header?.glibcVersionRuntime;
  if (glibc !== undefined && compareVersions(glibc, '2.27') < 0) {
    return { missing: `glibc 2.27 or newer (this system has ${glibc}): the wheel's libtensorflow is built for manylinux_2_27; upgrade the distribution` };
  }
  return true;
}

async function findPython(env: NodeJS.ProcessEnv): Promise<Found<string>> {
  const missing = { missing: 'python3 (node-gyp and the wheel reader run it): apt-get install -y python3' };
  const python = findExecutable('python3', env['PATH']);
  if (python === undefined) return missing;
  // A pyenv shim or a broken install can exist and still not run.
  const probe = await runCommand(python, ['-c', 'import sys, zipfile; print(sys.version_info >= (3, 8))'], { env });
  if (probe.code !== 0) return { missing: `a python3 that runs (${python} failed: ${probe.output.trim().split('\n').pop() ?? ''}): apt-get install -y python3` };
  if (probe.stdout.trim() !== 'True') return { missing: `python3 3.8 or newer for node-gyp (${python} is older): apt-get install -y python3` };
  return python;
}

async function findPip(python: string, env: NodeJS.ProcessEnv): Promise<Found<Program>> {
  const candidates: Program[] = [{ file: python, args: ['-m', 'pip'] }];
  for (const name of ['pip3', 'pip']) {
    const file = findExecutable(name, env['PATH']);
    if (file !== undefined) candidates.push({ file, args: [] });
  }
  for (const pip of candidates) {
    if ((await runCommand(pip.file, [...pip.args, '--version'], { env })).code === 0) return pip;
  }
  return { missing: 'pip, to download the TensorFlow wheel from its configured index: apt-get install -y python3-pip, or pass a wheel with --wheel FILE' };
}

/** npm itself: the one running this script (npm_execpath), else the one on PATH. */
function findNpm(env: NodeJS.ProcessEnv): Found<Program> {
  const execPath = env['npm_execpath'];
  if (execPath !== undefined && execPath.endsWith('.js') && existsSync(execPath)) return { file: process.execPath, args: [execPath] };
  const npm = findExecutable('npm', env['PATH']);
  if (npm !== undefined) return { file: npm, args: [] };
  return { missing: 'npm (installs @tensorflow/tfjs-node): it comes with Node.js; apt-get install -y npm' };
}

/** npm's own copy of node-gyp, which `npm rebuild` would use too; else one in the project. */
function findNodeGyp(npm: Program, env: NodeJS.ProcessEnv): Found<string> {
  const npmCli = npm.args[0] ?? realpathSync(npm.file);
  const candidates = [join(dirname(dirname(npmCli)), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  if (env['npm_config_node_gyp'] !== undefined) candidates.unshift(env['npm_config_node_gyp']);
  try {
    candidates.push(createRequire(join(PROJECT_ROOT, 'package.json')).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // Not a dependency of the project: npm's copy is the usual one.
  }
  const found = candidates.find((file) => existsSync(file));
  return found ?? { missing: `node-gyp (npm's copy is not at ${candidates[candidates.length - 1]}): npm install -g node-gyp` };
}

/**
 * The Node headers node-gyp compiles against: npm's nodedir setting, else the ones installed
 * beside this Node (/usr/include/node for /usr/bin/node). Passing them means no download.
 */
async function findNodeDir(npm: Program | undefined, env: NodeJS.ProcessEnv): Promise<Found<string>> {
  const candidates: string[] = [];
  const configured = env['npm_config_nodedir'] ?? (npm === undefined ? undefined : await npmConfig(npm, 'nodedir', env));
  if (configured !== undefined && configured !== '' && configured !== 'undefined' && configured !== 'null') candidates.push(resolve(configured));
  candidates.push(resolve(dirname(process.execPath), '..'));
  const hasHeaders = (dir: string) => existsSync(join(dir, 'include', 'node', 'node_api.h')) && existsSync(join(dir, 'include', 'node', 'common.gypi'));
  const found = candidates.find(hasHeaders);
  if (found !== undefined) return found;
  const where = [...new Set(candidates)].map((dir) => join(dir, 'include', 'node')).join(' or ');
  return {
    missing: `the Node.js ${process.version} headers (node_api.h, common.gypi; none in ${where}): Debian's nodejs package: apt-get install -y libnode-dev; Node from nodejs.org or NodeSource ships them; then, if they are elsewhere, npm config set nodedir DIR`,
  };
}

async function npmConfig(npm: Program, key: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await runCommand(npm.file, [...npm.args, 'config', 'get', key], { env });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** gyp's Makefiles use $(CXX), which make defaults to g++: CXX when set, else g++, else c++. */
function findCompiler(env: NodeJS.ProcessEnv): Found<Record<string, string>> {
  const cxx = env['CXX'];
  if (cxx !== undefined && cxx.trim() !== '') {
    const file = cxx.trim().split(/\s+/)[0] ?? cxx;
    if (findExecutable(file, env['PATH']) !== undefined) return {};
    return { missing: `the C++ compiler CXX names (${cxx}): install it, or unset CXX and apt-get install -y g++` };
  }
  if (findExecutable('g++', env['PATH']) !== undefined) return {};
  if (findExecutable('c++', env['PATH']) !== undefined) return { CXX: 'c++' };
  return { missing: 'a C++ compiler (g++) to build the addon: apt-get install -y g++' };
}

function findMake(env: NodeJS.ProcessEnv): Found<string> {
  return findExecutable('make', env['PATH']) ?? { missing: 'make, which runs the addon build node-gyp writes: apt-get install -y make' };
}

function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
