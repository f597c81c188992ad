/**
 * A built-in task's kept models, end to end through the built CLI: `run --save-models`, then
 * `evaluate` loads each kept model and scores the study's validation split, which must give
 * back the val_accuracy and val_loss stored for the model's step; `export` writes files that
 * plain TF.js loads with the dataset's full input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { taskSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

const MODELS = {
  // The fast path (no batch norm): its first layer is trained trimmed and exported 784 wide.
  mlp: '{ type: mlp, hidden: [40, 40], activation: relu, initializer: he_normal }',
  bn: '{ type: mlp, hidden: [40], activation: tanh, initializer: glorot_normal, batch_norm: true, dropout: 0.2 }',
  cnn: '{ type: cnn, filters: [4], kernel: 3, dense: 16, dropout: 0.25, activation: relu, initializer: he_normal }',
};

function space(dir: string, study: string, model: string): string {
  const file = join(dir, `${study}.yaml`);
  writeFileSync(file, taskSpaceYaml({ study, trials: 3, epochs: 2, model, params: ['learning_rate: { type: float, low: 1.0e-2, high: 1.0e-1, log: true }'] }));
  return file;
}

interface Row {
  number: number;
  value: number;
  steps?: number;
}

describe('kept models of a built-in task, through the CLI', () => {
  for (const [kind, model] of Object.entries(MODELS)) {
    it(`${kind}: evaluate reproduces each kept model's stored val_accuracy and val_loss; export loads in plain TF.js`, async () => {
      const dir = tempDir();
      const db = join(dir, 'models.db');
      const run = await runCli(['run', space(dir, kind, model), '--db', db, '--save-models', 'all', '--workers', '2']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).toMatch(/models kept: 3 \(/);
      const board = JSON.parse((await runCli(['leaderboard', kind, '--db', db, '--format', 'json'])).stdout) as Row[];
      expect(board).toHaveLength(3);
      for (const row of board) {
        const trial = JSON.parse((await runCli(['trial', kind, String(row.number), '--db', db, '--format', 'json'])).stdout) as {
          steps: ({ step: number } & Record<string, number>)[];
        };
        const last = trial.steps.at(-1)!;
        const evaluated = await runCli(['evaluate', kind, '--trial', String(row.number), '--db', db, '--format', 'json']);
        expect(evaluated.code, evaluated.stderr).toBe(0);
        const [scores] = JSON.parse(evaluated.stdout) as { number: number; val_accuracy: number; val_loss: number }[];
        expect(scores!.number).toBe(row.number);
        expect(scores!.val_accuracy).toBe(last['val_accuracy']);
        expect(scores!.val_loss).toBeCloseTo(last['val_loss']!, 4);
      }
      const out = join(dir, 'export');
      expect((await runCli(['export', kind, '--db', db, '--out', out])).code).toBe(0);
      const info = JSON.parse(readFileSync(join(out, 'hpsearch.json'), 'utf8')) as { trial: number; input: { shape: number[]; scaling: string } };
      expect(info.trial).toBe(board[0]!.number);
      expect(info.input).toMatchObject({ shape: kind === 'cnn' ? [28, 28, 1] : [784], scaling: 'pixel / 255' });
      const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
      const weights = readFileSync(join(out, 'weights.bin'));
      await tf.setBackend('cpu');
      const loaded = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
      );
      const x = tf.zeros([2, ...info.input.shape]);
      const y = loaded.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 10]);
      tf.dispose([x, y]);
      loaded.dispose();
    });
  }
});
