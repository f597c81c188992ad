import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { probeObjectiveModule } from '../../../src/objectives/module/probe-module.js';
import { OBJECTIVES, REPO, useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();

const fixture = (name: string) => join(OBJECTIVES, name);
/** No timeout: every outcome but the timeout's own must come from the module, not from a timer. */
const untimed = { timeoutMs: Number.POSITIVE_INFINITY };

describe('probing an objective module in a worker thread', () => {
  it('accepts the modules a trial worker accepts: a default export function, ESM or CommonJS', async () => {
    await expect(probeObjectiveModule(fixture('noop.mjs'), untimed)).resolves.toBeUndefined();
    await expect(probeObjectiveModule(fixture('curve.mjs'), untimed)).resolves.toBeUndefined();
    await expect(probeObjectiveModule(fixture('commonjs.cjs'), untimed)).resolves.toBeUndefined();
  });

  it("refuses a module that throws when imported, with the module's own message", async () => {
    const module = fixture('throws-on-import.mjs');
    await expect(probeObjectiveModule(module, untimed)).resolves.toBe(
      `cannot load objective module ${module}: HPSEARCH_DATA is not set: the objective cannot find its data`,
    );
  });

  it('refuses a module that does not parse', async () => {
    const reason = await probeObjectiveModule(fixture('syntax-error.mjs'), untimed);
    expect(reason).toMatch(new RegExp(`^cannot load objective module ${fixture('syntax-error.mjs')}: Unexpected token`));
  });

  it('refuses a default export that is not a function, and no default export, as the workers do', async () => {
    for (const name of ['default-not-function.mjs', 'no-default.mjs']) {
      await expect(probeObjectiveModule(fixture(name), untimed)).resolves.toBe(
        `objective module ${fixture(name)} must export a default function: export default async (params, ctx) => number`,
      );
    }
  });

  it('refuses a module that ends its thread, or whose top-level await never settles', async () => {
    const exits = await probeObjectiveModule(fixture('exits-on-import.mjs'), untimed);
    expect(exits).toMatch(/ended its thread before it finished loading \(exit code 3\)/);
    const stalls = await probeObjectiveModule(fixture('never-settles.mjs'), untimed);
    expect(stalls).toMatch(/ended its thread before it finished loading \(exit code \d+\): its top level calls process\.exit\(\) or awaits something that never happens/);
  });

  it('gives up on a module whose top-level code never ends, saying so', async () => {
    // The module never finishes, so the timer is the only way out: no race between them.
    const reason = await probeObjectiveModule(fixture('endless-loop.mjs'), { timeoutMs: 50 });
    expect(reason).toBe(
      `objective module ${fixture('endless-loop.mjs')} did not finish loading within 0.05 s: its top-level code still runs; ` +
        'do slow work (downloads, training) inside the default export, and make every top-level await finish',
    );
  });

  it('never imports the module on the calling thread', async () => {
    await expect(probeObjectiveModule(fixture('keeps-running.mjs'), untimed)).resolves.toBeUndefined();
    expect((globalThis as { hpsearchImportedOnThread?: number }).hpsearchImportedOnThread).toBeUndefined();
  });

  it('loads no native addon (tfjs-node allows one thread per process): a module that needs one is left to its trials', async () => {
    // Imported by any other thread, this module throws: the addon loads there.
    const url = pathToFileURL(fixture('addon-loaded-here.mjs')).href;
    const plain = new Worker(
      `import(${JSON.stringify(url)}).catch((error) => require('node:worker_threads').parentPort.postMessage(error.message));`,
      { eval: true },
    );
    const [message] = await Promise.all([
      new Promise<string>((resolve) => plain.once('message', resolve)),
      new Promise((resolve) => plain.once('exit', resolve)),
    ]);
    expect(message).toBe('the native addon was loaded by the thread that imported this module');

    await expect(probeObjectiveModule(fixture('addon-loaded-here.mjs'), untimed)).resolves.toBeUndefined();
    await expect(probeObjectiveModule(fixture('native-addon.mjs'), untimed)).resolves.toBeUndefined();
  });

  it('leaves no thread running, even for a module that starts a timer or loops forever', async () => {
    // A process that probes these must end by itself: a thread left running would keep it alive
    // (the test's timeout would then kill it and the exit code would not be 0).
    const probe = pathToFileURL(join(REPO, 'dist', 'objectives', 'module', 'probe-module.js')).href;
    const script = `
      const { probeObjectiveModule } = await import(${JSON.stringify(probe)});
      const answers = [
        await probeObjectiveModule(${JSON.stringify(fixture('keeps-running.mjs'))}),
        await probeObjectiveModule(${JSON.stringify(fixture('endless-loop.mjs'))}, { timeoutMs: 50 }),
      ];
      console.log(JSON.stringify(answers));`;
    // A file, not -e: a worker thread inherits the process's flags, and --input-type is not one it takes.
    const file = join(tempDir(), 'probe.mjs');
    writeFileSync(file, script);
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout: out });
      });
    });
    expect(code).toBe(0);
    const [ok, timedOut] = JSON.parse(stdout) as (string | null)[];
    expect(ok).toBeNull();
    expect(timedOut).toMatch(/did not finish loading within 0\.05 s/);
  });
});
