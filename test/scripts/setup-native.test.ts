import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stampFile } from '../../scripts/native/stamp.js';
import { nativeTarget } from '../../scripts/native/target.js';
import { describeNative, nativeProbe } from '../helpers/native.js';
import { REPO, useTempDir } from '../helpers/temp.js';
import { makeZip } from './zip.js';

const tempDir = useTempDir();
const SCRIPT = join(REPO, 'scripts', 'setup-native.ts');
const cpu = nativeTarget('cpu', REPO);

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run setup:native -- ...args` as a child process, as CI runs it. */
function setupNative(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** What a run must leave as it was: the stamp and the extracted library (same inode and mtime: not re-extracted). */
function setupState(): string {
  const parts: string[] = [];
  for (const file of [stampFile(cpu.pkgDir), join(cpu.pkgDir, 'deps', 'lib', 'libtensorflow_cc.so.2')]) {
    try {
      const stat = statSync(file);
      parts.push(`${file} ${stat.ino} ${stat.mtimeMs} ${file.endsWith('.json') ? readFileSync(file, 'utf8') : ''}`);
    } catch {
      parts.push(`${file} absent`);
    }
  }
  return parts.join('\n');
}

describe('npm run setup:native: what it refuses, before changing anything', () => {
  it('exits 2 with one line naming a --wheel that does not exist', async () => {
    const before = setupState();
    const run = await setupNative(['--wheel', '/nonexistent.whl']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      'native backend: missing the TensorFlow wheel: --wheel names /nonexistent.whl, and no file is there; pass the .whl that pip download gives (see --help)',
    ]);
    expect(setupState()).toBe(before);
  });

  it('names HPSEARCH_TF_WHEEL when that is where the missing wheel came from', async () => {
    const run = await setupNative([], { ...process.env, HPSEARCH_TF_WHEEL: '/nonexistent/tf.whl' });
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^native backend: missing the TensorFlow wheel: HPSEARCH_TF_WHEEL names \/nonexistent\/tf\.whl, and no file is there/)]);
  });

  it('exits 2 on a --wheel that is not a TensorFlow wheel, saying what it lacks', async () => {
    const dir = tempDir();
    const notZip = join(dir, 'notes.whl');
    writeFileSync(notZip, 'not a zip');
    const before = setupState();
    const bad = await setupNative(['--wheel', notZip, '--force']);
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([`native backend: missing a usable TensorFlow wheel (--wheel): ${notZip} is not a wheel (a zip file): File is not a zip file`]);

    const other = join(dir, 'numpy-2.0.0-cp311-cp311-manylinux_2_27_x86_64.whl');
    makeZip(other, { 'numpy/__init__.py': '', 'numpy-2.0.0.dist-info/METADATA': 'Name: numpy\nVersion: 2.0.0\n' });
    const wrong = await setupNative(['--wheel', other, '--force']);
    expect(wrong.code).toBe(2);
    expect(lines(wrong.stderr)).toEqual([expect.stringMatching(/^native backend: missing a usable TensorFlow wheel \(--wheel\): .*numpy-2\.0\.0.* is not a TensorFlow wheel with the C library: it has no tensorflow\/libtensorflow_cc\.so\.2, tensorflow\/libtensorflow_framework\.so\.2, /)]);
    expect(setupState()).toBe(before);
  });

  it('lists every missing build tool on a line of its own, with how to install it, and exits 2', async () => {
    // A PATH holding node and nothing else: no python3, no compiler, no make, no npm.
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: bin, HPSEARCH_CACHE_DIR: tempDir() };
    for (const name of ['CXX', 'npm_execpath', 'npm_config_node_gyp', 'HPSEARCH_TF_WHEEL']) delete env[name];
    const before = setupState();
    const run = await setupNative(['--force'], env);
    expect(run.code).toBe(2);
    const missing = lines(run.stderr);
    expect(missing.every((line) => line.startsWith('native backend: missing '))).toBe(true);
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^native backend: missing python3 .*apt-get install -y python3$/),
        expect.stringMatching(/^native backend: missing npm .*apt-get install -y npm$/),
        expect.stringMatching(/^native backend: missing a C\+\+ compiler \(g\+\+\).*apt-get install -y g\+\+$/),
        expect.stringMatching(/^native backend: missing make.*apt-get install -y make$/),
      ]),
    );
    expect(missing).toHaveLength(4);
    expect(run.stdout).toBe('');
    expect(setupState()).toBe(before);
  });

  it('refuses an unknown option with exit 2, pointing at --help', async () => {
    const run = await setupNative(['--wheels', 'x.whl']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^setup:native: Unknown option '--wheels'.*see --help/);
  });

  it('--help names the steps, the offline and online ways, and marks --gpu untested', async () => {
    const run = await setupNative(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/npm ci && npm run setup:native/);
    expect(run.stdout).toMatch(/npm install @tensorflow\/tfjs-node/);
    expect(run.stdout).toMatch(/--gpu .*not yet tested on a GPU/);
    expect(run.stdout).toMatch(/CUDA 12 and cuDNN 9/);
  });
});

describeNative('npm run setup:native when it is set up', () => {
  it('--check says it loads, with the TensorFlow version, and exits 0', async () => {
    const run = await setupNative(['--check']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([expect.stringMatching(/^native backend: loads \(tensorflow 2\.\d+\.\d+, @tensorflow\/tfjs-node 4\.\d+\.\d+, backend "tensorflow"\)$/)]);
  });

  it('a second run takes the quick path: it says so and extracts nothing again', async () => {
    const before = setupState();
    const run = await setupNative([]);
    expect(run.code).toBe(0);
    expect(lines(run.stdout)).toEqual([expect.stringMatching(/^native backend: already set up \(tensorflow 2\.\d+\.\d+, @tensorflow\/tfjs-node 4\.\d+\.\d+, backend "tensorflow"; checked in \d+\.\d s\)$/)]);
    expect(setupState()).toBe(before);
  });

  it('leaves a package that loads but has no stamp alone: installed the normal way, with its own download', async () => {
    const stamp = stampFile(cpu.pkgDir);
    const library = statSync(join(cpu.pkgDir, 'deps', 'lib', 'libtensorflow_cc.so.2'));
    renameSync(stamp, `${stamp}.aside`);
    try {
      const run = await setupNative([]);
      expect(run.code).toBe(0);
      expect(lines(run.stdout)).toEqual([expect.stringMatching(/^native backend: already works, installed by its own install script \(tensorflow 2\.\d+\.\d+, .*\); --force replaces its libtensorflow with the wheel's$/)]);
      expect(statSync(join(cpu.pkgDir, 'deps', 'lib', 'libtensorflow_cc.so.2'))).toMatchObject({ ino: library.ino, mtimeMs: library.mtimeMs });
    } finally {
      renameSync(`${stamp}.aside`, stamp);
    }
  });

  it('records the wheel, the package and the addon in its stamp', () => {
    const stamp = JSON.parse(readFileSync(stampFile(cpu.pkgDir), 'utf8')) as { package: string; wheel: { name: string; version: string }; addon: string };
    expect(stamp.package).toBe('@tensorflow/tfjs-node');
    expect(stamp.wheel.name).toMatch(/^tensorflow_cpu-2\.\d+\.\d+-.*\.whl$/);
    expect(stamp.addon).toBe('lib/napi-v8/tfjs_binding.node');
    // The GPU package, which npm pulls in along with it, was removed again: it has no addon.
    expect(() => statSync(nativeTarget('gpu', REPO).pkgDir)).toThrow();
  });
});

describe.runIf(!nativeProbe.loads)('npm run setup:native when it is not set up', () => {
  it('--check says why it does not load and exits 1', async () => {
    const run = await setupNative(['--check']);
    expect(run.code).toBe(1);
    expect(lines(run.stdout)).toEqual([expect.stringMatching(/^native backend: does not load: .*; `npm run setup:native` sets it up$/)]);
  });
});
