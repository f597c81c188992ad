import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** The best-5 setup of "Deep Learning from Scratch" ch. 6, shrunk so a test trains it in seconds. */
const best5Space = (study: string, trials: number, lr = '{ type: float, low: 1.0e-3, high: 1.0e-1, log: true }') => `
study: ${study}
seed: 5
objective:
  metric: val_accuracy
  direction: maximize
  task:
    dataset: { name: mnist, train_samples: 300, validation_split: 0.2 }
    model: { type: mlp, hidden: [50, 50, 50], activation: relu, initializer: he_normal }
    train: { optimizer: sgd, batch_size: 60, epochs: 3 }
search:
  strategy: random
  trials: ${trials}
params:
  learning_rate: ${lr}
  weight_decay: { type: float, low: 1.0e-8, high: 1.0e-4, log: true }
`;

describe('built-in training tasks through the CLI', () => {
  it('runs a best-5 style study end to end on MNIST with the wasm backend', async () => {
    const dir = tempDir();
    const db = join(dir, 'task.db');
    const space = join(dir, 'best5.yaml');
    writeFileSync(space, best5Space('best5-mini', 4));
    const run = await runCli(['run', space, '--db', db, '--workers', '2', '--backend', 'wasm']);
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/TF\.js backend: wasm/);
    const best = run.stdout.split('\n').filter((l) => l.startsWith('Best-'));
    expect(best).toHaveLength(4);
    expect(best[0]).toMatch(/^Best-1 \(val acc: [0-9.]+\) \| lr: [0-9.e-]+, weight decay: [0-9.e-]+$/);

    const board = JSON.parse((await runCli(['leaderboard', 'best5-mini', '--db', db, '--format', 'json'])).stdout) as {
      number: number;
      value: number;
      steps: number;
    }[];
    expect(board).toHaveLength(4);
    expect(board.every((r) => r.steps === 3)).toBe(true);
    // Better than chance on 10 classes after 3 epochs for the best of 4 learning rates.
    expect(board[0]!.value).toBeGreaterThan(0.2);

    const trial = JSON.parse((await runCli(['trial', 'best5-mini', String(board[0]!.number), '--db', db, '--format', 'json'])).stdout) as {
      value: number;
      attrs: { backend: string };
      steps: Record<string, number>[];
    };
    expect(trial.attrs.backend).toBe('wasm');
    expect(trial.steps.map((s) => s['step'])).toEqual([1, 2, 3]);
    expect(Object.keys(trial.steps[0]!).sort()).toEqual(
      ['learning_rate', 'step', 'train_accuracy', 'train_loss', 'val_accuracy', 'val_loss'].sort(),
    );
    expect(trial.steps[2]!['val_accuracy']).toBe(trial.value);
  });

  it('gives identical metrics for the same seed, backend and params', async () => {
    const dir = tempDir();
    const space = join(dir, 'repro.yaml');
    writeFileSync(space, best5Space('repro', 2));
    const curves = [];
    for (const db of [join(dir, 'a.db'), join(dir, 'b.db')]) {
      expect((await runCli(['run', space, '--db', db, '--workers', '2', '--backend', 'wasm'])).code).toBe(0);
      const trial = JSON.parse((await runCli(['trial', 'repro', '1', '--db', db, '--format', 'json'])).stdout) as { steps: unknown[] };
      curves.push(trial.steps);
    }
    expect(curves[0]).toEqual(curves[1]);
  });

  it('records a diverging trial as failed with reason diverged, and the study goes on', async () => {
    const dir = tempDir();
    const db = join(dir, 'div.db');
    const space = join(dir, 'div.yaml');
    writeFileSync(space, best5Space('div', 2, '{ type: categorical, choices: [1.0e+6] }'));
    const run = await runCli(['run', space, '--db', db, '--workers', '1', '--backend', 'wasm', '--format', 'json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { counts: { failed: number } };
    expect(summary.counts.failed).toBe(2);
    const trial = JSON.parse((await runCli(['trial', 'div', '0', '--db', db, '--format', 'json'])).stdout) as { state: string; error: string };
    expect(trial.state).toBe('failed');
    expect(trial.error).toMatch(/^diverged/);
  });

  it('names the package to install when a native backend is asked for and missing', async () => {
    const dir = tempDir();
    const space = join(dir, 'native.yaml');
    writeFileSync(space, best5Space('native', 1));
    const run = await runCli(['run', space, '--db', join(dir, 'n.db'), '--backend', 'tensorflow']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/npm install @tensorflow\/tfjs-node\b/);
  });
});
