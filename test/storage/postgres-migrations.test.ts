import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { openPostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { describePostgres, usePostgres } from '../helpers/postgres.js';
import { migrationContract, SCHEMA3_TRIALS } from './migration-contract.js';

describePostgres('PostgreSQL migrations', () => {
  const server = usePostgres();
  // After the contract suite's own afterEach has closed the storage.
  afterEach(() => server().dropDatabases());

  /** A database at schema 3 holding the contract's trials, written with schema 3's columns. */
  async function schema3Database(): Promise<string> {
    const url = await server().createDatabase();
    await (await openPostgresStorage(url, { migrations: POSTGRES_MIGRATIONS.slice(0, 3) })).close();
    const [study] = await server().sql<{ id: number }>(url, `INSERT INTO studies (name, direction, metric, seed, space_json, space_file, created_at)
      VALUES ('legacy', 'maximize', 'acc', 1, '{}', NULL, 1) RETURNING id`);
    for (const t of SCHEMA3_TRIALS) {
      const running = t.state === 'running';
      await server().sql(url, `INSERT INTO trials (study_id, number, sample_index, state, params_json, value, attrs_json, round, owner, started_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [study!.id, t.number, t.sampleIndex, t.state, t.params, t.value, t.attrs, t.round, running ? 'old:1' : null, running ? Date.now() : null]);
    }
    return url;
  }

  migrationContract('postgres', async () => openPostgresStorage(await schema3Database()));

  describe('migration 4', () => {
    it('moves the round column into sampler_state, as the same JSON text SQLite writes', async () => {
      const url = await schema3Database();
      await (await openPostgresStorage(url)).close();
      expect(await server().sql(url, 'SELECT version FROM hpsearch_schema')).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
      expect(await server().sql(url, 'SELECT number::int, sampler_state FROM trials ORDER BY number')).toEqual([
        { number: 0, sampler_state: '{"round":0}' }, { number: 1, sampler_state: '{"round":0}' },
        { number: 2, sampler_state: '{"round":1}' }, { number: 3, sampler_state: '{}' },
      ]);
      const columns = await server().sql<{ column_name: string }>(url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'trials'");
      expect(columns.map((c) => c.column_name)).not.toContain('round');
    });
  });
});
