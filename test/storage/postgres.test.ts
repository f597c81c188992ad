import { afterEach, describe, expect, it, vi } from 'vitest';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import type { NewStudy } from '../../src/storage/storage.js';
import { describePostgres, freePort, usePostgres } from '../helpers/postgres.js';
import { storageContract } from './contract.js';

const study: NewStudy = { name: 'race', direction: 'maximize', metric: 'acc', seed: 1, space: { a: 1 } };

describePostgres('PostgreSQL storage', () => {
  const server = usePostgres();
  // After the contract suite's own afterEach has closed the storage.
  afterEach(() => server().dropDatabases());

  storageContract('postgres', async () => openPostgresStorage(await server().createDatabase()));

  /** Every table and index of the database with its definition, to show that a refusal changed nothing. */
  async function schemaOf(url: string): Promise<string[]> {
    const rows = await server().sql<{ item: string }>(url, `SELECT c.relkind::text || ' ' || c.relname || ' ' || COALESCE(pg_get_indexdef(c.oid), '') AS item
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY c.relname`);
    return rows.map((row) => row.item);
  }

  describe("the server's clock", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("judges staleness by the server's clock: a host whose clock is 10 minutes off neither takes a beating trial nor spares a silent one", async () => {
      const url = await server().createDatabase();
      const storage = await openPostgresStorage(url);
      try {
        // This host's clock runs ten minutes fast, then ten minutes slow: neither changes the answer.
        for (const offset of [600_000, -600_000]) {
          vi.useFakeTimers({ toFake: ['Date'] });
          vi.setSystemTime(new Date(Date.now() + offset));
          const { id } = await storage.createStudy({ ...study, name: `clock${offset}` });
          const beating = (await storage.claimTrial(id, { maxTrials: 5, owner: 'host-a:1:aa' }))!;
          const silent = (await storage.claimTrial(id, { maxTrials: 5, owner: 'host-b:2:bb' }))!;
          // host-b's run went silent ten minutes ago, by the server's clock.
          await server().sql(url, 'UPDATE trials SET started_at = started_at - 600000 WHERE id = $1', [silent.id]);
          await storage.heartbeat('host-a:1:aa');
          expect(await storage.recoverStaleTrials(id, { staleAfterMs: 60_000 }), `clock off by ${offset} ms`)
            .toEqual([{ number: silent.number, owner: 'host-b:2:bb', reason: 'no-heartbeat' }]);
          vi.useRealTimers();
          expect((await storage.getTrial(id, beating.number))!.state).toBe('running');
          // Times of a trial's life are the server's too: its start is the server's now, not this host's.
          const [row] = await server().sql<{ skew: string }>(url,
            'SELECT abs((extract(epoch from clock_timestamp()) * 1000)::bigint - started_at) AS skew FROM trials WHERE id = $1', [beating.id]);
          expect(Number(row!.skew)).toBeLessThan(60_000);
        }
      } finally {
        await storage.close();
      }
    });
  });

  describe('opening', () => {
    it('creates the schema of SQLite\'s migrations, marked as hpsearch at the latest version', async () => {
      const url = await server().createDatabase();
      const storage = await openPostgresStorage(url);
      expect(storage.location).toBe(url);
      await storage.close();
      await storage.close(); // idempotent
      await expect(storage.getStudy('race')).rejects.toMatchObject({ code: 'E_STORAGE', message: expect.stringMatching(/is closed/) });
      expect(await server().sql(url, 'SELECT application, version FROM hpsearch_schema')).toEqual([
        { application: 'hpsearch', version: POSTGRES_MIGRATIONS.length },
      ]);
      const columns = await server().sql<{ table_name: string; column_name: string }>(url,
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'trials' ORDER BY ordinal_position");
      expect(columns.map((c) => c.column_name)).toEqual(expect.arrayContaining(['attrs_json', 'heartbeat_at', 'sample_index', 'params_json', 'metrics_json']));
      const indexes = (await server().sql<{ def: string }>(url, "SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname")).map((r) => r.def);
      expect(indexes).toEqual(expect.arrayContaining([
        expect.stringMatching(/trials_queued ON public\.trials .*\(study_id, number\) WHERE \(state = 'queued'::text\)/),
        expect.stringMatching(/trials_running ON public\.trials .*\(study_id, owner\) WHERE \(state = 'running'::text\)/),
        expect.stringMatching(/trials_by_value ON public\.trials .*\(study_id, state, value, number\)/),
      ]));
      // Opening again finds it current and changes nothing.
      const before = await schemaOf(url);
      await (await openPostgresStorage(url)).close();
      expect(await schemaOf(url)).toEqual(before);
    });

    it('keeps data across close and reopen, NaN and ±Infinity included, and numbering continues', async () => {
      const url = await server().createDatabase();
      const first = await openPostgresStorage(url);
      const created = await first.createStudy(study);
      const t = (await first.claimTrial(created.id, { maxTrials: 10, owner: 'a' }))!;
      await first.setTrialParams(t, { params: { lr: Number.NaN, up: Infinity }, samplerState: { round: 0 } });
      await first.reportStep(t, 0, { loss: Number.NaN, up: Infinity, down: -Infinity });
      await first.finishTrial(t, { state: 'complete', value: Number.NaN, metrics: { acc: Number.NaN } });
      await first.close();

      const second = await openPostgresStorage(url);
      expect(await second.getStudy('race')).toEqual(created);
      const detail = await second.getTrial(created.id, 0);
      expect(detail).toMatchObject({ state: 'complete', value: null, params: { lr: Number.NaN, up: Infinity }, metrics: { acc: Number.NaN }, samplerState: { round: 0 } });
      expect(detail?.steps).toEqual([{ step: 0, values: { loss: Number.NaN, up: Infinity, down: -Infinity } }]);
      expect(await second.claimTrial(created.id, { maxTrials: 10, owner: 'b' })).toMatchObject({ number: 1, sampleIndex: 1 });
      await second.close();
      // The JSON columns hold the same text as SQLite's (the shared codec).
      expect(await server().sql(url, 'SELECT params_json, metrics_json FROM trials WHERE number = 0')).toEqual([
        { params_json: '{"lr":{"$number":"NaN"},"up":{"$number":"Infinity"}}', metrics_json: '{"acc":"NaN"}' },
      ]);
    });

    it('refuses the database of another application and leaves it untouched', async () => {
      const url = await server().createDatabase();
      await server().sql(url, 'CREATE TABLE customers (id int PRIMARY KEY, name text)');
      await server().sql(url, "INSERT INTO customers VALUES (1, 'ada')");
      const before = await schemaOf(url);
      await expect(openPostgresStorage(url)).rejects.toMatchObject({
        code: 'E_STORAGE', message: expect.stringMatching(/is not an hpsearch database \(its schema holds tables of another application\)/),
      });
      expect(await schemaOf(url)).toEqual(before);
      expect(await server().sql(url, 'SELECT * FROM customers')).toEqual([{ id: 1, name: 'ada' }]);

      // A version table of another application's is refused too.
      const marked = await server().createDatabase();
      await server().sql(marked, 'CREATE TABLE hpsearch_schema (application text NOT NULL, version integer NOT NULL)');
      await server().sql(marked, "INSERT INTO hpsearch_schema VALUES ('someone-else', 1)");
      await expect(openPostgresStorage(marked)).rejects.toMatchObject({ code: 'E_STORAGE' });
      expect(await schemaOf(marked)).toHaveLength(1);
    });

    it('refuses a database written by a newer hpsearch and leaves it untouched', async () => {
      const url = await server().createDatabase();
      const storage = await openPostgresStorage(url);
      await storage.createStudy(study);
      await storage.close();
      await server().sql(url, 'UPDATE hpsearch_schema SET version = 99');
      const before = await schemaOf(url);
      await expect(openPostgresStorage(url)).rejects.toMatchObject({
        code: 'E_SCHEMA_VERSION', message: `${url} was written by a newer hpsearch (schema 99, this one knows ${POSTGRES_MIGRATIONS.length}); upgrade hpsearch`,
      });
      expect(await server().sql(url, 'SELECT version FROM hpsearch_schema')).toEqual([{ version: 99 }]);
      expect(await schemaOf(url)).toEqual(before);
      expect(await server().sql(url, 'SELECT name FROM studies')).toEqual([{ name: 'race' }]);
    });

    it('upgrades an older hpsearch schema in place', async () => {
      const url = await server().createDatabase();
      await (await openPostgresStorage(url, { migrations: POSTGRES_MIGRATIONS.slice(0, 1) })).close();
      expect(await server().sql(url, 'SELECT version FROM hpsearch_schema')).toEqual([{ version: 1 }]);
      const storage = await openPostgresStorage(url);
      const { id } = await storage.createStudy(study);
      const t = (await storage.claimTrial(id, { maxTrials: 1, owner: 'o' }))!;
      await storage.finishTrial(t, { state: 'complete', value: 1, attrs: { backend: 'cpu' } });
      expect(await storage.heartbeat('o')).toBe(0);
      expect((await storage.getTrial(id, 0))!.attrs).toEqual({ backend: 'cpu' });
      await storage.close();
      expect(await server().sql(url, 'SELECT version FROM hpsearch_schema')).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
    });

    it('lets several hosts open one new database at the same moment', async () => {
      for (let round = 0; round < 5; round++) {
        const url = await server().createDatabase();
        const opened = await Promise.allSettled(Array.from({ length: 6 }, () => openPostgresStorage(url)));
        const storages = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        await Promise.all(storages.map((s) => s.close()));
        expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
        expect(await server().sql(url, 'SELECT version FROM hpsearch_schema')).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
      }
    });
  });

  it('stores and returns names and values that look like SQL exactly, all tables intact', async () => {
    const url = await server().createDatabase();
    const storage = await openPostgresStorage(url);
    const tables = await schemaOf(url);
    const hostile = ["x'; DROP TABLE trials;--", '"; DELETE FROM studies; --', `it's "quoted" and back\\slashed \\' $1 $$`, 'ünïcødé ✓ 🎲 名前', 'line\nbreak\ttab\r', '{a,b}', 'NULL'];
    try {
      for (const [i, name] of hostile.entries()) {
        const created = await storage.createStudy({ ...study, name, metric: name, space: { [name]: name } });
        expect(await storage.getStudy(name)).toEqual(created);
        const params = Object.fromEntries(hostile.map((p, k) => [p, k % 2 === 0 ? hostile[(k + i) % hostile.length]! : k]));
        const steps = Object.fromEntries(hostile.map((m, k) => [m, k + i / 10]));
        const trial = (await storage.claimTrial(created.id, { maxTrials: 1, owner: name }))!;
        await storage.setTrialParams(trial, { params });
        await storage.reportStep(trial, 0, steps);
        await storage.finishTrial(trial, { state: 'failed', error: name, metrics: steps });
        expect(await storage.getTrial(created.id, 0)).toMatchObject({ params, owner: name, error: name, metrics: steps, steps: [{ step: 0, values: steps }] });
        expect(await storage.stepValues(created.id, name, 0)).toEqual([{ number: 0, state: 'failed', value: i + i / 10 }]);
        expect(await storage.getStudy(`${name}' OR '1'='1`)).toBeNull();
      }
      expect((await storage.listStudies()).map((s) => s.name)).toEqual(hostile);
    } finally {
      await storage.close();
    }
    expect(await schemaOf(url)).toEqual(tables);
  });

  describe('passwords and unreachable servers', () => {
    const PASSWORD = 'pa55:w/rd@secret';

    it('never shows the URL\'s password: not in location, nor in errors', async () => {
      const url = await server().createDatabase(PASSWORD);
      expect(url).toContain(encodeURIComponent(PASSWORD).slice(0, 4));
      const storage = await openPostgresStorage(url);
      const noPassword = new URL(url);
      noPassword.password = '';
      expect(storage.location).toBe(noPassword.toString());
      expect(storage.location).not.toMatch(/pa55/);
      await storage.createStudy(study);
      const duplicate = await storage.createStudy(study).catch((error: Error) => error);
      expect(duplicate).toMatchObject({ code: 'E_STUDY_EXISTS' });
      expect((duplicate as Error).message).not.toMatch(/pa55/);
      await storage.close();

      const missing = new URL(url);
      missing.pathname = '/no_such_database';
      const error = await openPostgresStorage(missing.toString()).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'E_STORAGE', message: expect.stringMatching(/database "no_such_database" does not exist.*createdb/) });
      expect(`${(error as Error).message} ${String((error as Error).cause)} ${(error as Error).stack}`).not.toMatch(/pa55/);
    });

    it('reports a server that is down as E_STORAGE naming host and port, without the password', async () => {
      const port = await freePort();
      const url = `postgres://someone:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/hp`;
      // It gives up rather than retrying for ever (the test's timeout would catch that); how fast is the benchmark's business.
      const error = await openPostgresStorage(url).catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'E_STORAGE' });
      const { message } = error as Error;
      expect(message).toContain(`cannot reach the PostgreSQL server at 127.0.0.1:${port}`);
      expect(message).toMatch(/check that it is running/);
      expect(message).toContain(`postgres://someone@127.0.0.1:${port}/hp`);
      expect(message).not.toMatch(/pa55/);
    });

    it('refuses a URL it cannot parse with E_USAGE, without repeating it', async () => {
      const error = await openPostgresStorage('postgres://me:pa55@[bad/db').catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'E_USAGE', message: expect.stringMatching(/not valid/) });
      expect((error as Error).message).not.toMatch(/pa55/);
    });
  });

  describe('several hosts on one study', () => {
    /** Opens `n` storages, each with its own pool of connections, as n hosts would. */
    async function hosts(url: string, n: number): Promise<PostgresStorage[]> {
      return Promise.all(Array.from({ length: n }, () => openPostgresStorage(url)));
    }

    it('gives concurrent claimers distinct, dense numbers and sample indices, queued trials once, and exactly the budget', async () => {
      const url = await server().createDatabase();
      const setup = await openPostgresStorage(url);
      const { id } = await setup.createStudy(study);
      const enqueued = [];
      for (let i = 0; i < 6; i++) enqueued.push((await setup.enqueueTrial(id, { fixed: i })).number);
      await setup.close();

      const budget = 240;
      const storages = await hosts(url, 4);
      const claims: Array<{ host: number; number: number; sampleIndex: number | null; params: unknown }> = [];
      try {
        // Four hosts, three claim loops each: twelve connections claiming at once.
        await Promise.all(storages.flatMap((storage, host) => Array.from({ length: 3 }, async () => {
          for (;;) {
            const trial = await storage.claimTrial(id, { maxTrials: budget, owner: `host-${host}:1` });
            if (!trial) return;
            claims.push({ host, number: trial.number, sampleIndex: trial.sampleIndex, params: trial.params });
            await storage.setTrialParams(trial, { params: { index: trial.sampleIndex } });
            await storage.reportStep(trial, 0, { loss: trial.number });
            await storage.finishTrial(trial, { state: 'complete', value: trial.number });
          }
        })));
        expect(claims.map((c) => c.number).sort((a, b) => a - b)).toEqual(Array.from({ length: budget }, (_, i) => i));
        const sampled = claims.filter((c) => c.sampleIndex !== null).map((c) => c.sampleIndex!).sort((a, b) => a - b);
        expect(sampled).toEqual(Array.from({ length: budget - enqueued.length }, (_, i) => i));
        expect(claims.filter((c) => c.sampleIndex === null).map((c) => c.number).sort((a, b) => a - b)).toEqual(enqueued);
        // Every host got some: the claims really overlapped.
        expect(new Set(claims.map((c) => c.host)).size).toBe(4);
        expect(await storages[0]!.countTrials(id)).toEqual({ queued: 0, running: 0, complete: budget, pruned: 0, failed: 0 });
        expect(await storages[1]!.claimTrial(id, { maxTrials: budget, owner: 'late:1' })).toBeNull();
      } finally {
        await Promise.all(storages.map((s) => s.close()));
      }
    });

    it('requeues each stale trial once when several hosts recover at the same moment, and hands each out once', async () => {
      const url = await server().createDatabase();
      const storages = await hosts(url, 3);
      try {
        const [first] = storages as [PostgresStorage];
        const { id } = await first.createStudy(study);
        for (let i = 0; i < 20; i++) {
          const t = (await first.claimTrial(id, { maxTrials: 20, owner: `dead-${i % 2}:1` }))!;
          await first.reportStep(t, 0, { loss: i });
        }
        const recovered = await Promise.all(storages.map((s) => s.recoverStaleTrials(id, { staleAfterMs: -1 })));
        expect(recovered.flat().map((r) => r.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(await first.countTrials(id)).toMatchObject({ queued: 20, running: 0 });
        const again = await Promise.all(storages.map(async (s, host) => {
          const numbers: number[] = [];
          for (let trial; (trial = await s.claimTrial(id, { maxTrials: 20, owner: `new-${host}:1` })); ) numbers.push(trial.number);
          return numbers;
        }));
        expect(again.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect((await first.getTrial(id, 3))!.steps).toEqual([]);
      } finally {
        await Promise.all(storages.map((s) => s.close()));
      }
    });
  });
});
