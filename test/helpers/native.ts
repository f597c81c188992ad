import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';
import { REPO } from './temp.js';

/**
 * Why @tensorflow/tfjs-node cannot load here, or null when it can. Asked of a child process, so
 * that no test process loads the addon itself (one thread per process may: the worker processes
 * under test must be free to).
 */
function nativeUnavailable(): string | null {
  const probe = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
    cwd: REPO,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (probe.status === 0) return null;
  const lines = `${probe.stderr ?? ''}`.split('\n').filter((line) => /Error|error|not found|cannot/.test(line));
  return lines[0]?.trim().slice(0, 200) ?? `exit code ${probe.status ?? probe.signal}`;
}

const unavailable = nativeUnavailable();

/**
 * A describe block that needs the native TensorFlow addon, its name marked "[native]" so the
 * suite's output can count them; skipped, with the reason in its name, where it cannot load.
 */
export function describeNative(name: string, body: () => void): void {
  if (unavailable === null) describe(`[native] ${name}`, body);
  else describe.skip(`[native] ${name} (skipped: @tensorflow/tfjs-node cannot load here: ${unavailable}; see the README, Backends)`, body);
}
