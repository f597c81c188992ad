/**
 * Runs one of the Python reference scripts beside this file and reads the single JSON object it
 * prints on stdout. References are measured on this machine in the same `npm run bench`, never
 * quoted from another one, so every way the run can fail (no interpreter, a missing package, a
 * crash, a timeout, output of the wrong shape) ends as a reason to print "reference not
 * measured", not as a stand-in figure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';

/**
 * Debian's own interpreter, which python3-numpy and python3-optuna install into: the pyenv
 * `python3` first on PATH has neither.
 */
export const DEFAULT_PYTHON = '/usr/bin/python3';
export const PYTHON_OVERRIDE_VAR = 'HPSEARCH_BENCH_PYTHON';
export const INSTALL_HINT = 'apt-get install -y python3-numpy python3-optuna';

export interface PythonReferenceRun<T> {
  /** A file name in bench/reference/. */
  script: string;
  args: readonly string[];
  timeoutMs: number;
  /** The shape the printed JSON must have. */
  output: z.ZodType<T>;
  /** Changes to the child's environment only; the bench's own stays as it is. */
  env?: { set?: Record<string, string>; unset?: readonly string[] };
}

export type PythonReferenceResult<T> =
  | { ok: true; output: T; python: string }
  | { ok: false; python: string; reason: string };

export function benchPython(): string {
  return process.env[PYTHON_OVERRIDE_VAR] || DEFAULT_PYTHON;
}

/**
 * Runs a reference script that reads its input from a JSON file (`--<flag> <file>` first among
 * its arguments): the file is written to a temporary folder and removed afterwards.
 */
export async function runPythonWithInput<T>(run: PythonReferenceRun<T>, input: { flag: string; data: unknown }): Promise<PythonReferenceResult<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'hpsearch-bench-'));
  try {
    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify(input.data));
    return await runPythonReference({ ...run, args: [`--${input.flag}`, file, ...run.args] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPythonReference<T>(run: PythonReferenceRun<T>): Promise<PythonReferenceResult<T>> {
  const python = benchPython();
  const failed = (reason: string): PythonReferenceResult<T> => ({ ok: false, python, reason });
  const finished = await spawnScript(python, run);
  if (finished.kind === 'spawn-error') {
    const missing = finished.error.code === 'ENOENT';
    return failed(
      missing
        ? `${python} not found (set ${PYTHON_OVERRIDE_VAR}, or install Debian's python3: ${INSTALL_HINT})`
        : `cannot start ${python}: ${finished.error.message}`,
    );
  }
  if (finished.kind === 'timeout') return failed(`${run.script} did not finish within ${run.timeoutMs / 1000} s`);
  if (finished.code !== 0) {
    return failed(`${run.script} exited with ${finished.code ?? finished.signal}: ${lastLine(finished.stderr) || 'no message'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(lastLine(finished.stdout));
  } catch {
    return failed(`${run.script} printed no JSON on its last line: ${JSON.stringify(lastLine(finished.stdout).slice(0, 200))}`);
  }
  const parsed = run.output.safeParse(json);
  if (!parsed.success) return failed(`${run.script} printed JSON of an unexpected shape: ${parsed.error.message.slice(0, 300)}`);
  return { ok: true, output: parsed.data, python };
}

type Finished =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'spawn-error'; error: NodeJS.ErrnoException };

function spawnScript<T>(python: string, run: PythonReferenceRun<T>): Promise<Finished> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...run.env?.set };
  for (const name of run.env?.unset ?? []) delete env[name];
  return new Promise((resolve) => {
    const child = spawn(python, [join(import.meta.dirname, run.script), ...run.args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // Passed through as it comes: the scripts print their progress there, and a traceback helps.
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ kind: 'spawn-error', error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(timedOut ? { kind: 'timeout' } : { kind: 'exit', code, signal, stdout, stderr });
    });
  });
}

/** The last non-empty line: a traceback's ends with the exception, the scripts' JSON is one line. */
function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1)?.trim() ?? '';
}
