import { spawn } from 'node:child_process';
import { CLI } from './temp.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Sends `signal` to the child once its stderr first matches `pattern` (e.g. Ctrl-C after the first run). */
  signalWhen?: { pattern: RegExp; signal: NodeJS.Signals };
  /** Called with all of the child's stderr so far each time more arrives: to act when it says something. */
  onStderr?: (stderr: string) => void;
  /** Runs the CLI as this user (the tests run as root, which ignores file permissions). */
  user?: { uid: number; gid: number };
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
}

/** Runs the built CLI in a child process, as a user would. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options.user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    let signalled = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const when = options.signalWhen;
      if (when && !signalled && when.pattern.test(stderr)) {
        signalled = true;
        child.kill(when.signal);
      }
      options.onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
