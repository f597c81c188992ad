import { join } from 'node:path';
import { expect, it } from 'vitest';
import { copyStudy } from '../../src/cli/commands/copy-study.js';
import type { ModelArtifact } from '../../src/storage/model-artifact.js';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage, StudyRecord } from '../../src/storage/storage.js';
import { describePostgres, usePostgres } from '../helpers/postgres.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

const model = (n: number): ModelArtifact => ({
  modelJson: { format: 'layers-model', modelTopology: { n } }, weights: new Uint8Array(64).fill(n), input: { shape: [2], scaling: 'none', labels: null }, step: n,
});

/** Finishes `count` trials of the study complete (values from `valueOf`), keeping each one's model under top `top`, `writers` at a time, each on its own storage. */
async function finishConcurrently(writers: Storage[], study: StudyRecord, count: number, top: number, valueOf: (i: number) => number): Promise<void> {
  let next = 0;
  await Promise.all(writers.map(async (storage) => {
    for (let i = next++; i < count; i = next++) {
      const claimed = (await storage.claimTrial(study.id, { maxTrials: count, owner: `w:${i}` }))!;
      await storage.finishTrial(claimed, { state: 'complete', value: valueOf(claimed.number) });
      await storage.keepTrialModel(claimed, model(claimed.number), { top, direction: study.direction });
    }
  }));
}

/** The numbers of the best `top` complete trials, by number. */
async function bestNumbers(storage: Storage, study: StudyRecord, top: number): Promise<number[]> {
  return (await storage.leaderboard(study.id, { top, direction: study.direction })).map((row) => row.number).sort((a, b) => a - b);
}

const NEW_STUDY = { name: 'kept', direction: 'minimize' as const, metric: 'loss', seed: 3, space: {} };
// A value order unlike the claim order, so models come and go as trials end.
const VALUE = (n: number) => ((n * 7) % 11) / 10;

it('hpsearch copy carries the kept models, SQLite to SQLite', async () => {
  const dir = tempDir();
  const source = await openSqliteStorage(join(dir, 'a.db'));
  const target = await openSqliteStorage(join(dir, 'b.db'));
  try {
    const study = await source.createStudy(NEW_STUDY);
    await finishConcurrently([source], study, 6, 2, VALUE);
    await copyStudy(source, target, 'kept', 'kept-copy');
    const copy = (await target.getStudy('kept-copy'))!;
    expect(await target.listTrialModels(copy.id)).toEqual(await source.listTrialModels(study.id));
    for (const { number } of await source.listTrialModels(study.id)) expect(await target.getTrialModel(copy.id, number)).toEqual(model(number));
  } finally {
    await source.close();
    await target.close();
  }
});

describePostgres('kept models on PostgreSQL', () => {
  const server = usePostgres();

  it('keeps exactly the best 2 when 8 connections finish 64 trials at once, each the best so far (every keep pushes one out)', async () => {
    const url = await server().createDatabase();
    const writers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => openPostgresStorage(url)));
    try {
      const study = await writers[0]!.createStudy(NEW_STUDY);
      await finishConcurrently(writers, study, 64, 2, (n) => -n);
      expect((await writers[0]!.listTrialModels(study.id)).map((m) => m.number)).toEqual(await bestNumbers(writers[0]!, study, 2));
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  });

  it('hpsearch copy carries the kept models, SQLite to PostgreSQL and back', async () => {
    const sqlite = await openSqliteStorage(join(tempDir(), 'a.db'));
    const pg = await openPostgresStorage(await server().createDatabase());
    const back = await openSqliteStorage(join(tempDir(), 'b.db'));
    try {
      const study = await sqlite.createStudy(NEW_STUDY);
      await finishConcurrently([sqlite], study, 6, 2, VALUE);
      await copyStudy(sqlite, pg, 'kept', 'kept');
      await copyStudy(pg, back, 'kept', 'kept');
      const there = (await pg.getStudy('kept'))!;
      const returned = (await back.getStudy('kept'))!;
      const kept = await sqlite.listTrialModels(study.id);
      expect(kept).toHaveLength(2);
      expect(await pg.listTrialModels(there.id)).toEqual(kept);
      expect(await back.listTrialModels(returned.id)).toEqual(kept);
      for (const { number } of kept) expect(await back.getTrialModel(returned.id, number)).toEqual(model(number));
    } finally {
      await Promise.all([sqlite.close(), pg.close(), back.close()]);
    }
  });
});
