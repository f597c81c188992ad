import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { probeNative } from '../../scripts/native/probe.js';
import { QUIET_TENSORFLOW_ENV, quietTensorflowEnv } from '../../src/task/native-env.js';
import { runCli } from '../helpers/cli.js';
import { BEST5_PARAMS, taskSpaceYaml } from '../helpers/spaces.js';
import { describeNative } from '../helpers/native.js';
import { REPO, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** This process's environment without TensorFlow's own variables: what a user's shell gives. */
function envWithoutTensorflow(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(QUIET_TENSORFLOW_ENV)) delete env[name];
  return env;
}

// The addon may be loaded by one thread per process: every test loads it in a child process.
describeNative('the native TensorFlow backend (@tensorflow/tfjs-node)', () => {
  it('loads with the environment hpsearch gives it and writes nothing to stderr', async () => {
    const probe = await probeNative('@tensorflow/tfjs-node', REPO, envWithoutTensorflow());
    expect(probe).toMatchObject({ loads: true, backend: 'tensorflow', stderr: '' });
    if (probe.loads) expect(probe.tensorflowVersion).toMatch(/^2\.\d+\.\d+$/);
  });

  it('without TF_ENABLE_ONEDNN_OPTS=0, TensorFlow logs to stderr even at TF_CPP_MIN_LOG_LEVEL=3: why hpsearch sets both', async () => {
    const probe = await probeNative('@tensorflow/tfjs-node', REPO, { ...envWithoutTensorflow(), TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '1' });
    expect(probe.loads).toBe(true);
    expect(probe.stderr).toMatch(/oneDNN custom operations are on/);
  });

  it('trains a tiny model in a child process on the "tensorflow" backend', () => {
    const program = `
      const tf = require('@tensorflow/tfjs-node');
      const x = tf.tensor2d([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const y = tf.tensor2d([[0], [1], [1], [0]]);
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [2], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
      model.fit(x, y, { epochs: 200, verbose: 0 }).then((history) => {
        const loss = history.history.loss;
        console.log(JSON.stringify({ backend: tf.getBackend(), first: loss[0], last: loss[loss.length - 1] }));
      });
    `;
    const child = spawnSync(process.execPath, ['-e', program], { cwd: REPO, env: quietTensorflowEnv(envWithoutTensorflow()), encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout) as { backend: string; first: number; last: number };
    expect(result.backend).toBe('tensorflow');
    // XOR: a tiny MLP learns it; the loss falls well below its start.
    expect(result.last).toBeLessThan(result.first / 4);
  });

  it('hpsearch run --backend tensorflow trains a best-5 style trial and records the backend', async () => {
    const dir = tempDir();
    const space = join(dir, 'native.yaml');
    const db = join(dir, 'native.db');
    writeFileSync(space, taskSpaceYaml({ study: 'native-mini', trials: 1, hidden: [50, 50], train: 'learning_rate: 0.05', params: [BEST5_PARAMS[1]!] }));
    // The quiet environment is given here: making the run set it for its own workers is not this test's subject.
    const env = quietTensorflowEnv(envWithoutTensorflow()) as Record<string, string>;
    const run = await runCli(['run', space, '--db', db, '--workers', '1', '--backend', 'tensorflow'], { env });
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/TF\.js backend: tensorflow/);
    const board = JSON.parse((await runCli(['leaderboard', 'native-mini', '--db', db, '--format', 'json'], { env })).stdout) as { number: number }[];
    expect(board).toHaveLength(1);
    const trial = JSON.parse((await runCli(['trial', 'native-mini', String(board[0]?.number), '--db', db, '--format', 'json'], { env })).stdout) as {
      value: number;
      attrs: { backend: string };
      steps: unknown[];
    };
    expect(trial.attrs.backend).toBe('tensorflow');
    expect(trial.steps).toHaveLength(3);
    expect(trial.value).toBeGreaterThan(0.2);
  });
});
