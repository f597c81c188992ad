import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../../src/storage/open.js';
import { choiceKey, describeChoice, representativeParams } from '../../../src/task/measure/choose-backend.js';
import type { TaskSpec } from '../../../src/task/types.js';
import { runCli } from '../../helpers/cli.js';
import { describeNative } from '../../helpers/native.js';
import { useTempDir } from '../../helpers/temp.js';

const tempDir = useTempDir();

const task = (hidden: number[]): TaskSpec => ({
  dataset: { source: { name: 'mnist' }, trainSamples: 500, validationSplit: 0.2, useTestSet: false, scale: true, shuffle: true },
  model: { type: 'mlp', hidden, activation: 'relu', initializer: 'he_normal' },
  train: { optimizer: 'sgd', batchSize: 100, epochs: 5 },
} as unknown as TaskSpec);

describe('what backend: auto measures, and how it says so', () => {
  it('takes the model of a typical trial: the middle of each range (geometric for log ones), the first choice, fixed values', () => {
    expect(representativeParams({
      learning_rate: { type: 'float', low: 1e-6, high: 1e-2, log: true },
      dropout: { type: 'float', low: 0, high: 0.5, log: false },
      units: { type: 'int', low: 16, high: 255, log: false, step: 1 },
      width: { type: 'int', low: 16, high: 64, log: false, step: 1, values: [16, 32, 64] },
      activation: { type: 'categorical', choices: ['relu', 'tanh'] },
      epochs: { type: 'fixed', value: 3 },
    })).toEqual({ learning_rate: expect.closeTo(1e-4, 12) as number, dropout: 0.25, units: 136, width: 32, activation: 'relu', epochs: 3 });
  });

  it('leaves out a conditional param where the typical values make it inactive, as a trial would', () => {
    expect(representativeParams({
      optimizer: { type: 'categorical', choices: ['sgd', 'momentum'] },
      momentum: { type: 'float', low: 0.5, high: 0.9, log: false, when: { optimizer: { kind: 'in', values: ['momentum'] } } },
      layers: { type: 'int', low: 1, high: 5, log: false, step: 1 },
      hidden: { type: 'int', low: 16, high: 64, log: false, step: 16, when: { layers: { kind: 'range', min: 3 } } },
    })).toEqual({ optimizer: 'sgd', layers: 3, hidden: 40 });
  });

  it('keys a choice by model shape and candidates: the same model gives the same key, another model or candidate set another', () => {
    const key = choiceKey(task([100, 100]), ['tensorflow', 'wasm']);
    expect(key).toMatch(/^backend:[0-9a-f]{24}$/);
    expect(choiceKey(task([100, 100]), ['tensorflow', 'wasm'])).toBe(key);
    expect(choiceKey(task([100, 50]), ['tensorflow', 'wasm'])).not.toBe(key);
    expect(choiceKey(task([100, 100]), ['tensorflow-gpu', 'tensorflow', 'wasm'])).not.toBe(key);
  });

  it('says the choice in one line with the timings', () => {
    expect(describeChoice({ backend: 'tensorflow', model: 'cnn', msPerStep: { tensorflow: 41.2, wasm: 150 } })).toBe('tensorflow (cnn step 41 ms vs wasm 150 ms)');
    expect(describeChoice({ backend: 'wasm', model: 'mlp', msPerStep: { tensorflow: 'failed: no addon', wasm: 6.34 } })).toBe('wasm (mlp step 6.3 ms vs tensorflow failed: no addon)');
  });
});


describeNative('backend: auto between native TensorFlow and wasm, by measuring', () => {
  it('times the study\'s model on both, runs on the faster, keeps the choice in the database, and a resumed run does not measure again', async () => {
    const dir = tempDir();
    const db = join(dir, 'auto.db');
    const file = join(dir, 'cnn.yaml');
    writeFileSync(file, `study: auto-cnn
seed: 3
objective:
  metric: val_accuracy
  direction: maximize
  task:
    dataset: { name: mnist, train_samples: 200, validation_samples: 50 }
    model: { type: cnn, filters: [8, 16], kernel: 3, dense: 32, dropout: 0.25, activation: relu, initializer: he_normal }
    train: { optimizer: adam, batch_size: 25, epochs: 1 }
search:
  strategy: random
  trials: 2
params:
  learning_rate: { type: float, low: 0.001, high: 0.01, log: true }
`);
    const first = await runCli(['run', file, '--db', db, '--workers', '1', '--trials', '1']);
    expect(first.code).toBe(0);
    const line = /hpsearch: note: backend: (tensorflow|wasm) \(cnn step ([0-9.]+) ms vs (tensorflow|wasm) ([0-9.]+) ms\)\n/.exec(first.stderr);
    expect(line, first.stderr).not.toBeNull();
    const [, chosen, own, other, theirs] = line!;
    expect(other).not.toBe(chosen);
    expect(Number(own)).toBeLessThanOrEqual(Number(theirs));
    expect(first.stderr).toContain(`TF.js backend: ${chosen}`);

    const measurements = () => {
      const sqlite = new Database(db, { readonly: true });
      try {
        return sqlite.prepare('SELECT key, value_json, measured_at FROM measurements').all() as { key: string; value_json: string; measured_at: number }[];
      } finally {
        sqlite.close();
      }
    };
    const kept = measurements();
    expect(kept).toHaveLength(1);
    expect(JSON.parse(kept[0]!.value_json)).toMatchObject({ backend: chosen, model: 'cnn' });

    const again = await runCli(['run', file, '--db', db, '--workers', '1', '--resume', '--trials', '2']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`backend: ${chosen} \\(cnn step .*\\(kept in the database\\)`));
    // Not measured again: the same row, the same time.
    expect(measurements()).toEqual(kept);
    const storage = await openStorage(db);
    try {
      const rows = await storage.listTrials((await storage.getStudy('auto-cnn'))!.id);
      expect(rows.map((t) => t.attrs?.backend)).toEqual([chosen, chosen]);
    } finally {
      await storage.close();
    }

    // An explicit backend is never second-guessed: no measuring, no note.
    const explicit = await runCli(['run', file, '--db', join(dir, 'explicit.db'), '--workers', '1', '--trials', '1', '--backend', 'wasm']);
    expect(explicit.code).toBe(0);
    expect(explicit.stderr).not.toMatch(/note: backend:/);
  }, 180_000);
});

