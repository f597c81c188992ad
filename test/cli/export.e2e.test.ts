import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

/** A random search over the saves-model fixture (value = x; x < 0.3 is pruned), with extra top-level lines. */
function writeSpace(dir: string, study: string, trials: number, extra = ''): string {
  const file = join(dir, `${study}.yaml`);
  writeFileSync(file, moduleSpaceYaml({ study, seed: 11, trials, objective: 'saves-model.mjs', params: ['x: { type: float, low: 0, high: 1 }'] }) + extra);
  return file;
}

function expectOk(result: CliResult): void {
  expect(result.stderr).not.toMatch(/unexpected error/);
  expect(result.code, result.stderr).toBe(0);
}

interface StudyRow { name: string; models: { count: number; bytes: number } }
interface BoardRow { number: number }

describe('keeping and exporting trained models, end to end in child processes', () => {
  it('run --save-models 2 keeps the best 2; studies and trial show sizes; export writes a model TF.js loads with the same predictions', async () => {
    const dir = tempDir();
    const db = join(dir, 'models.db');
    const file = writeSpace(dir, 'keep', 8);
    const run = await runCli(['run', file, '--db', db, '--workers', '2', '--save-models', '2']);
    expectOk(run);
    expect(run.stderr).toMatch(/\nmodels kept: 2 \(\d+(\.\d)? (B|KB)\), of trials \d+, \d+; export the best with: hpsearch export keep --db \S+ --out DIR\n/);

    const studies = JSON.parse((await runCli(['studies', '--db', db, '--format', 'json'])).stdout) as StudyRow[];
    expect(studies[0]!.models.count).toBe(2);
    expect(studies[0]!.models.bytes).toBeGreaterThan(100);
    const table = await runCli(['studies', '--db', db]);
    expect(table.stdout).toMatch(/models/);
    expect(table.stdout).toMatch(/2 \(\d+(\.\d)? (B|KB)/);

    const board = JSON.parse((await runCli(['leaderboard', 'keep', '--db', db, '--top', '2', '--format', 'json'])).stdout) as BoardRow[];
    const [best, second] = board.map((row) => row.number);
    const trial = JSON.parse((await runCli(['trial', 'keep', String(second), '--db', db, '--format', 'json'])).stdout) as {
      model: { bytes: number; step: number | null } | null;
    };
    expect(trial.model).toMatchObject({ step: 0 });
    expect(trial.model!.bytes * 2).toBe(studies[0]!.models.bytes);
    expect((await runCli(['trial', 'keep', String(second), '--db', db])).stdout).toMatch(/\nmodel +\d+(\.\d)? (B|KB) \(step 0\)\n/);

    // The default is the best trial.
    const out = join(dir, 'export');
    const exported = await runCli(['export', 'keep', '--db', db, '--out', out, '--format', 'json']);
    expectOk(exported);
    const summary = JSON.parse(exported.stdout) as { trial: number; files: string[] };
    expect(summary.trial).toBe(best);
    expect(summary.files).toEqual(['model.json', 'weights.bin', 'hpsearch.json'].map((name) => join(out, name)));
    const provenance = JSON.parse(readFileSync(join(out, 'hpsearch.json'), 'utf8')) as Record<string, unknown>;
    expect(provenance).toMatchObject({
      study: 'keep', trial: best, metric: 'val_accuracy', direction: 'maximize', model_step: 0, input: null,
      last_step: { step: 0 }, best_step: { step: 0 },
    });
    const metrics = provenance['metrics'] as { pred0: number; pred1: number };
    expect(provenance['value']).toBe((provenance['params'] as { x: number }).x);

    // Loaded from the files as TF.js reads a model.json and its weights, it predicts what the objective's model did.
    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const weights = readFileSync(join(out, 'weights.bin'));
    await tf.setBackend('cpu');
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0]!.weights,
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }));
    const { INPUT } = (await import(join(OBJECTIVES, 'saves-model.mjs'))) as { INPUT: number[][] };
    const prediction = Array.from((model.predict(tf.tensor2d(INPUT)) as tf.Tensor).dataSync());
    expect(prediction[0]).toBeCloseTo(metrics.pred0, 6);
    expect(prediction[1]).toBeCloseTo(metrics.pred1, 6);
    model.dispose();

    // Refusals: a non-empty --out without --force; a trial that kept no model (naming --save-models); an unknown trial.
    const again = await runCli(['export', 'keep', '--db', db, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty.*--force/);
    expectOk(await runCli(['export', 'keep', '--db', db, '--out', out, '--force', '--trial', String(second)]));
    expect((JSON.parse(readFileSync(join(out, 'hpsearch.json'), 'utf8')) as { trial: number }).trial).toBe(second);
    const worse = (JSON.parse((await runCli(['leaderboard', 'keep', '--db', db, '--top', '3', '--format', 'json'])).stdout) as BoardRow[])[2]!.number;
    const none = await runCli(['export', 'keep', '--db', db, '--out', join(dir, 'none'), '--trial', String(worse)]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(new RegExp(`trial ${worse} of study "keep" \\(complete\\) kept no model.*--save-models.*these do: ${Math.min(best!, second!)}, ${Math.max(best!, second!)}`));
    expect(existsSync(join(dir, 'none'))).toBe(false);
    const unknown = await runCli(['export', 'keep', '--db', db, '--out', join(dir, 'unknown'), '--trial', '99']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no trial 99: its trials are numbered 0 to 7/);

    // hpsearch copy carries the models: the copy exports the same files.
    const copyDb = join(dir, 'copy.db');
    expectOk(await runCli(['copy', 'keep', '--from', db, '--to', copyDb]));
    const copied = JSON.parse((await runCli(['studies', '--db', copyDb, '--format', 'json'])).stdout) as StudyRow[];
    expect(copied[0]!.models).toEqual(studies[0]!.models);
    const fromCopy = join(dir, 'from-copy');
    expectOk(await runCli(['export', 'keep', '--db', copyDb, '--out', fromCopy, '--trial', String(second)]));
    for (const name of ['model.json', 'weights.bin']) expect(readFileSync(join(fromCopy, name))).toEqual(readFileSync(join(out, name)));
  }, 120_000);

  it('save_models in the space file keeps models; a study without it refuses export naming --save-models; all notes the size', async () => {
    const dir = tempDir();
    const db = join(dir, 'file.db');
    const all = await runCli(['run', writeSpace(dir, 'all', 8, 'save_models: { top: all }\n'), '--db', db, '--workers', '2']);
    expectOk(all);
    expect(all.stderr).toMatch(/note: keeping the model of every complete trial: they add up/);
    const studies = JSON.parse((await runCli(['studies', '--db', db, '--format', 'json'])).stdout) as StudyRow[];
    const complete = JSON.parse((await runCli(['leaderboard', 'all', '--db', db, '--top', '100', '--format', 'json'])).stdout) as BoardRow[];
    expect(complete.length).toBeGreaterThan(1);
    expect(studies[0]!.models.count).toBe(complete.length);

    expectOk(await runCli(['run', writeSpace(dir, 'plain', 4), '--db', db, '--workers', '2']));
    const out = join(dir, 'out');
    mkdirSync(out);
    const refused = await runCli(['export', 'plain', '--db', db, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/kept no model, nor did any other: models are kept only when the study runs with --save-models N/);
    const bad = await runCli(['run', writeSpace(dir, 'bad', 2), '--db', db, '--save-models', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--save-models.*positive integer or "all"/);
  }, 120_000);
});
