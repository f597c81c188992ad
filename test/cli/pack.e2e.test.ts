/**
 * `run --pack` and the space file's `pack`, through the built CLI: what is refused, and (on the
 * native backend) that a study trained in packs stores, trial for trial, what the same study
 * stores trained one trial at a time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/open.js';
import type { TrialDetail } from '../../src/storage/storage.js';
import { runCli } from '../helpers/cli.js';
import { describeNative } from '../helpers/native.js';
import { taskSpaceYaml } from '../helpers/spaces.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

function space(dir: string, study: string, extra: string[] = []): string {
  const file = join(dir, `${study}.yaml`);
  writeFileSync(file, taskSpaceYaml({ study, trials: 6, epochs: 3, extra, params: ['learning_rate: { type: float, low: 1.0e-2, high: 1.0e-1, log: true }', 'weight_decay: { type: float, low: 1.0e-8, high: 1.0e-4, log: true }'] }));
  return file;
}

async function trialsOf(db: string, study: string): Promise<TrialDetail[]> {
  const storage = await openStorage(db);
  try {
    const id = (await storage.getStudy(study))!.id;
    const trials = await storage.listTrials(id);
    return await Promise.all(trials.map(async (t) => (await storage.getTrial(id, t.number))!));
  } finally {
    await storage.close();
  }
}

describe('run --pack, refused', () => {
  it('a --pack that is not auto, off or a positive integer is a usage error naming the choices', async () => {
    const dir = tempDir();
    const result = await runCli(['run', space(dir, 'bad-flag'), '--db', join(dir, 'x.db'), '--pack', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--pack <auto\|K\|off>' argument '0' is invalid\. expected auto, off or a positive integer \(trials a pack\), got "0"/);
  });

  it('a pack in the space file that is not auto, off or a positive integer is reported at pack', async () => {
    const dir = tempDir();
    const result = await runCli(['run', space(dir, 'bad-file', ['pack: many']), '--db', join(dir, 'x.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/pack/);
    expect(result.stderr).toMatch(/"many"/);
  });

  it('a module objective with --pack K is refused before any trial runs; --pack auto runs it as ever', async () => {
    const dir = tempDir();
    const file = join(dir, 'quadratic.yaml');
    writeFileSync(file, `study: quad\nseed: 1\nobjective:\n  module: ${JSON.stringify(join(process.cwd(), 'test', 'fixtures', 'objectives', 'echo-params.mjs'))}\n  metric: x\n  direction: maximize\nsearch:\n  strategy: random\n  trials: 2\nparams:\n  x: { type: int, low: 0, high: 9 }\n`);
    const refused = await runCli(['run', file, '--db', join(dir, 'q.db'), '--pack', '4']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pack 4: a module objective trains one trial at a time; packing is for built-in MLP tasks\. Use --pack off/);
    expect((await runCli(['run', file, '--db', join(dir, 'q.db'), '--pack', 'auto'])).code).toBe(0);
  });
});

describe('run --pack on wasm (worker threads)', () => {
  it('--pack K packs on any backend when asked: each trial stored with its pack size, as many epochs as alone', async () => {
    const dir = tempDir();
    const db = join(dir, 'wasm.db');
    const result = await runCli(['run', space(dir, 'wasm-pack'), '--db', db, '--backend', 'wasm', '--workers', '2', '--pack', '3']);
    expect(result.code, result.stderr).toBe(0);
    const trials = await trialsOf(db, 'wasm-pack');
    expect(trials.map((t) => [t.state, t.attrs?.['backend'], t.attrs?.['pack_size'], t.steps.length])).toEqual(Array(6).fill(['complete', 'wasm', 3, 3]));
  });

  it('--pack auto on wasm trains each trial alone, and says why', async () => {
    const dir = tempDir();
    const db = join(dir, 'auto.db');
    const result = await runCli(['run', space(dir, 'wasm-auto'), '--db', db, '--backend', 'wasm', '--workers', '2', '--trials', '2']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/hpsearch: note: pack: off on the wasm backend, where a pack trains slower than its trials one by one \(--pack K packs anyway\)/);
    expect((await trialsOf(db, 'wasm-auto')).map((t) => t.attrs?.['pack_size'])).toEqual([undefined, undefined]);
  });
});

describeNative('run --pack on the native backend', () => {
  it('trains the study in packs and stores, trial for trial, what it stores trained alone: first-epoch loss within 1e-4, final val accuracy within 0.02', async () => {
    const dir = tempDir();
    const packedDb = join(dir, 'packed.db');
    const aloneDb = join(dir, 'alone.db');
    const packed = await runCli(['run', space(dir, 'same'), '--db', packedDb, '--backend', 'tensorflow', '--workers', '1', '--pack', '3']);
    expect(packed.code, packed.stderr).toBe(0);
    expect(packed.stderr).toMatch(/hpsearch: note: pack: packs of up to 3 trials of one model shape \(as asked; about \d+ MiB a pack\)/);
    const alone = await runCli(['run', space(dir, 'same'), '--db', aloneDb, '--backend', 'tensorflow', '--workers', '1', '--pack', 'off']);
    expect(alone.code, alone.stderr).toBe(0);
    const a = await trialsOf(packedDb, 'same');
    const b = await trialsOf(aloneDb, 'same');
    expect(a).toHaveLength(6);
    for (const [i, trial] of a.entries()) {
      const other = b[i]!;
      expect(trial.params).toEqual(other.params);
      expect(trial.state).toBe('complete');
      expect(trial.attrs?.['backend']).toBe('tensorflow');
      expect(trial.steps.map((s) => s.step)).toEqual([1, 2, 3]);
      expect(Math.abs(trial.steps[0]!.values['train_loss']! - other.steps[0]!.values['train_loss']!)).toBeLessThan(1e-4);
      expect(Math.abs(trial.value! - other.value!)).toBeLessThanOrEqual(0.02);
    }
  });
});
