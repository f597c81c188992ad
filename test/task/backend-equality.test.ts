import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { TrialDetail } from '../../src/storage/storage.js';
import { runCli } from '../helpers/cli.js';
import { describeNative } from '../helpers/native.js';
import { useTempDir } from '../helpers/temp.js';

/**
 * The same trial (study seed, params) trained on wasm and on native TensorFlow must agree: the
 * backend is a speed choice, never a results choice. Validation accuracy within 0.02 and the
 * first epoch's training loss within 1e-3, for the MLP and the CNN.
 */

const tempDir = useTempDir();


const MODELS = {
  mlp: `dataset: { name: mnist, train_samples: 400, validation_split: 0.25 }
    model: { type: mlp, hidden: [64, 64, 64], activation: relu, initializer: he_normal }
    train: { optimizer: sgd, batch_size: 50, epochs: 4 }`,
  cnn: `dataset: { name: mnist, train_samples: 400, validation_samples: 100 }
    model: { type: cnn, filters: [8, 16], kernel: 3, dense: 64, dropout: 0.25, activation: relu, initializer: he_normal }
    train: { optimizer: adam, batch_size: 50, epochs: 2 }`,
};

function space(dir: string, model: keyof typeof MODELS): string {
  const file = join(dir, `${model}.yaml`);
  writeFileSync(file, `study: equal-${model}
seed: 17
objective:
  metric: val_accuracy
  direction: maximize
  task:
    ${MODELS[model]}
search:
  strategy: random
  trials: 2
params:
  learning_rate: { type: float, low: ${model === 'mlp' ? '0.02, high: 0.2' : '0.001, high: 0.005'}, log: true }
`);
  return file;
}

async function trained(file: string, db: string, backend: string): Promise<TrialDetail[]> {
  const run = await runCli(['run', file, '--db', db, '--workers', '1', '--backend', backend]);
  expect(run.stderr).not.toMatch(/unexpected error/);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(`TF.js backend: ${backend}`);
  const storage = await openStorage(db);
  try {
    const study = (await storage.listStudies())[0]!;
    return await Promise.all([0, 1].map(async (n) => (await storage.getTrial(study.id, n))!));
  } finally {
    await storage.close();
  }
}

describeNative('the same trials on wasm and on native TensorFlow', () => {
  for (const model of ['mlp', 'cnn'] as const) {
    it(`${model}: validation accuracy within 0.02, first-epoch loss within 1e-3`, async () => {
      const dir = tempDir();
      const file = space(dir, model);
      const wasm = await trained(file, join(dir, 'wasm.db'), 'wasm');
      const native = await trained(file, join(dir, 'tf.db'), 'tensorflow');
      for (const [w, t] of wasm.map((trial, i) => [trial, native[i]!] as const)) {
        expect(t.params).toEqual(w.params);
        expect(w.state).toBe('complete');
        expect(t.state).toBe('complete');
        expect(Math.abs(t.value! - w.value!), `trial ${w.number}: val acc ${w.value} vs ${t.value}`).toBeLessThanOrEqual(0.02);
        const first = (trial: TrialDetail) => trial.steps[0]!.values['train_loss']!;
        expect(Math.abs(first(t) - first(w)), `trial ${w.number}: first-epoch loss ${first(w)} vs ${first(t)}`).toBeLessThanOrEqual(1e-3);
        // A trial that learned something: the comparison is not between two untrained models.
        expect(w.value!).toBeGreaterThan(0.3);
      }
    }, 120_000);
  }
});
