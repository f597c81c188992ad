import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NATIVE_PACKAGES, isInstalled } from '../../src/task/native-packages.js';
import { runCli } from '../helpers/cli.js';
import { BEST5_PARAMS, taskSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** The best-5 setup, shrunk so a test trains it in seconds; `lr` replaces the learning rate's spec. */
const best5Space = (study: string, trials: number, lr = '{ type: float, low: 1.0e-3, high: 1.0e-1, log: true }') =>
  taskSpaceYaml({ study, trials, params: [`learning_rate: ${lr}`, BEST5_PARAMS[1]!] });

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

  it('prunes a diverging trial at the epoch it diverged, with the reason, and the study goes on', async () => {
    const dir = tempDir();
    const db = join(dir, 'div.db');
    const space = join(dir, 'div.yaml');
    writeFileSync(space, best5Space('div', 2, '{ type: categorical, choices: [1.0e+6] }'));
    const run = await runCli(['run', space, '--db', db, '--workers', '1', '--backend', 'wasm', '--format', 'json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { counts: { pruned: number; failed: number }; pruned: number };
    expect(summary.counts).toMatchObject({ pruned: 2, failed: 0 });
    expect(summary.pruned).toBe(2);
    const trial = JSON.parse((await runCli(['trial', 'div', '0', '--db', db, '--format', 'json'])).stdout) as {
      state: string;
      error: string;
      steps: { step: number }[];
    };
    expect(trial.state).toBe('pruned');
    // lr 1e6 blows up in the first epoch: its loss is NaN or infinite there, or over 3 × the first one soon after.
    expect(trial.error).toMatch(/^diverged: train_loss (is (NaN|Infinity)|.* is over 3 × its first value .*) at step \d+/);
    const stoppedAt = trial.steps.at(-1)!.step;
    expect(trial.error).toContain(`at step ${stoppedAt}`);
    const board = await runCli(['leaderboard', 'div', '--db', db, '--all']);
    expect(board.stdout).toMatch(/pruned .* diverged: train_loss/);
  });

  it('prunes task trials with --pruner asha at the rung epoch and says what it saved', async () => {
    const dir = tempDir();
    const db = join(dir, 'asha.db');
    const space = join(dir, 'asha.yaml');
    writeFileSync(space, best5Space('asha', 6));
    const run = await runCli(['run', space, '--db', db, '--workers', '1', '--backend', 'wasm', '--pruner', 'asha', '--format', 'json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { pruner: string; pruned: number; steps_trained: number; steps_planned: number };
    // 3 epochs, η = 3, min_resource 1: the one rung is at epoch 1.
    expect(summary.pruner).toBe('successive_halving');
    expect(summary.steps_planned).toBe(18);
    const board = JSON.parse((await runCli(['leaderboard', 'asha', '--db', db, '--all', '--format', 'json'])).stdout) as {
      state: string;
      steps: number;
      stopped: string | null;
    }[];
    expect(board).toHaveLength(6);
    const pruned = board.filter((r) => r.state === 'pruned');
    expect(pruned.length).toBe(summary.pruned);
    expect(pruned.length).toBeGreaterThan(0);
    for (const r of pruned) expect(r).toMatchObject({ steps: 1, stopped: expect.stringMatching(/^successive halving: rung 0 \(step 1\)/) as unknown });
    for (const r of board.filter((b) => b.state === 'complete')) expect(r).toMatchObject({ steps: 3, stopped: null });
    expect(board.reduce((sum, r) => sum + r.steps, 0)).toBe(summary.steps_trained);
    const text = await runCli(['run', space, '--db', db, '--study', 'asha-text', '--workers', '1', '--backend', 'wasm', '--pruner', 'asha', '--trials', '3']);
    expect(text.stderr).toMatch(/epochs trained: \d+ of the 9 a run without stopping would have trained \(\d+%\)/);
  });

  // The native package that is not installed here (tfjs-node is, once npm run setup:native ran).
  const missing = (['tensorflow', 'tensorflow-gpu'] as const).find((backend) => !isInstalled(NATIVE_PACKAGES[backend]));
  it.runIf(missing !== undefined)('names the package to install when a native backend is asked for and missing, and creates no database', async () => {
    const dir = tempDir();
    const space = join(dir, 'native.yaml');
    writeFileSync(space, best5Space('native', 1));
    const run = await runCli(['run', space, '--db', join(dir, 'n.db'), '--backend', missing!]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`npm install ${NATIVE_PACKAGES[missing!]} `);
    expect(run.stderr).toContain('npm run setup:native');
    expect(existsSync(join(dir, 'n.db'))).toBe(false);
  });
});
