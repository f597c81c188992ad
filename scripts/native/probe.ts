/** Whether a native package loads and runs a kernel, asked of a child process: this one stays clean. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { quietTensorflowEnv } from '../../src/task/native-env.js';
import { runCommand } from './command.js';
import { PROJECT_ROOT } from './target.js';
import { addonLocation } from './addon.js';

export type NativeProbe =
  | {
      loads: true;
      /** tf.getBackend(): "tensorflow" for both packages. */
      backend: string;
      /** TF_Version() of the linked libtensorflow, e.g. 2.21.0. */
      tensorflowVersion: string;
      packageVersion: string;
      /** Whether TensorFlow sees a GPU (tfjs-node-gpu with CUDA working). */
      gpu: boolean;
      /** What loading it wrote to stderr: empty when TensorFlow's logs are quiet. */
      stderr: string;
    }
  | { loads: false; reason: string; stderr: string };

// CommonJS, as tfjs-node is; argv: root, package. One kernel runs, so a library that loads but
// cannot compute is caught too.
const CHILD = `
const req = require('node:module').createRequire(require('node:path').join(process.argv[1], 'package.json'));
const tf = req(process.argv[2]);
const sum = tf.sum(tf.add(tf.tensor1d([1, 2]), 1)).dataSync()[0];
if (sum !== 5) throw new Error('1 + 1 and 2 + 1 gave ' + sum + ' on ' + tf.getBackend());
const backend = tf.backend();
process.stdout.write(JSON.stringify({
  backend: tf.getBackend(),
  tensorflowVersion: String(backend.binding && backend.binding.TF_Version),
  packageVersion: req(process.argv[2] + '/package.json').version,
  gpu: backend.isUsingGpuDevice === true,
}));
`;

/** Loads `pkg` in a child process with the environment hpsearch gives native workers. */
export async function probeNative(pkg: string, root = PROJECT_ROOT, env: NodeJS.ProcessEnv = process.env): Promise<NativeProbe> {
  const pkgDir = join(root, 'node_modules', ...pkg.split('/'));
  if (!existsSync(join(pkgDir, 'package.json'))) return { loads: false, reason: `${pkg} is not installed`, stderr: '' };
  let addon: string;
  try {
    addon = addonLocation(pkgDir).file;
  } catch (error) {
    return { loads: false, reason: `${pkg} is incomplete: ${(error as Error).message}`, stderr: '' };
  }
  if (!existsSync(addon)) return { loads: false, reason: `${pkg} is installed without its addon (no ${addon})`, stderr: '' };
  const result = await runCommand(process.execPath, ['-e', CHILD, root, pkg], { env: quietTensorflowEnv(env), timeoutMs: 120_000 });
  if (result.code !== 0) {
    const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
    const reason = lines.find((line) => /^\w*Error\b/.test(line)) ?? lines.at(-1) ?? `exit code ${String(result.code)}`;
    return { loads: false, reason: `loading ${pkg} failed: ${reason}`, stderr: result.stderr };
  }
  const found = JSON.parse(result.stdout) as { backend: string; tensorflowVersion: string; packageVersion: string; gpu: boolean };
  return { loads: true, ...found, stderr: result.stderr };
}
