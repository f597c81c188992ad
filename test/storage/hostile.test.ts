/**
 * Hostile databases and hostile names. A database this user may not write, a damaged one, or
 * one whose study, param and metric names are SQL: each gives a clear E_STORAGE error (or
 * works), and none is ever changed. SQLite throughout, no mocks.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { HpsearchError, ValidationError } from '../../src/errors.js';
import { openSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import type { Storage } from '../../src/storage/storage.js';
import { createStudy } from '../../src/study/create.js';
import type { Objective } from '../../src/study/objective.js';
import { REPO } from '../helpers/temp.js';

const base = mkdtempSync(join(tmpdir(), 'hpsearch-hostile-'));
// The other user must be able to reach the folders below (mkdtemp makes this one private).
chmodSync(base, 0o755);
afterAll(() => {
  for (const entry of readdirSync(base)) chmodSync(join(base, entry), 0o755);
  rmSync(base, { recursive: true, force: true });
});
let folders = 0;
function folder(): string {
  const path = join(base, `case-${folders++}`);
  mkdirSync(path);
  return path;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Names that break a statement built by splicing text: quotes, comments, statement ends, unicode. */
const HOSTILE = [
  "x'; DROP TABLE trials;--",
  '"; DELETE FROM studies; --',
  "Robert'); DROP TABLE studies;--",
  `it's "quoted", \`ticked\` and back\\slashed \\' \\"`,
  '1 OR 1=1; PRAGMA writable_schema = ON; --',
  'ünïcødé ✓ 🎲 名前 \u202Ertl',
  '%_ LIKE wildcards $(echo shell) ${template}',
  'line\nbreak\ttab\r',
] as const;

/** A real hpsearch database with one study of `trials` complete trials, 5 steps each. */
async function makeDatabase(path: string, trials = 40): Promise<void> {
  const storage = await openSqliteStorage(path);
  const study = await storage.createStudy({ name: 'victim', direction: 'maximize', metric: 'acc', seed: 1, space: { a: 1 } });
  for (let i = 0; i < trials; i++) {
    const trial = (await storage.claimTrial(study.id, { maxTrials: trials, owner: 'maker' }))!;
    await storage.setTrialParams(trial, { params: { lr: i / trials, label: `trial number ${i} `.repeat(4) } });
    for (let step = 0; step < 5; step++) await storage.reportStep(trial, step, { acc: (i + step) / 100, loss: 1 / (i + step + 1) });
    await storage.finishTrial(trial, { state: 'complete', value: i / trials });
  }
  await storage.close();
}

/** Table and index names of a fresh database at this version's schema. */
async function schemaNames(): Promise<string[]> {
  const path = join(folder(), 'fresh.db');
  await (await openSqliteStorage(path)).close();
  return objectNames(path);
}

function objectNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM sqlite_schema ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------

interface ChildReport {
  uid: number;
  mayWriteFile: boolean;
  opened: boolean;
  studies?: string[];
  trials?: number;
  wrote?: true;
  writeError?: { name: string; code: string; message: string };
  error?: { name: string; code: string; message: string };
}

/** Root ignores permissions, so as root the child runs as nobody; as anyone else, as itself. */
const AS_OTHER_USER = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
const OPEN_AS_USER = join(REPO, 'test', 'fixtures', 'open-as-user.ts');

function openAsOtherUser(path: string, mode: 'write' | 'read'): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', OPEN_AS_USER, path, mode], { cwd: REPO, ...AS_OTHER_USER });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`open-as-user exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as ChildReport);
    });
  });
}

describe('a database this user may not write', () => {
  const WRITABLE_FOLDER = 0o777;
  const READ_ONLY_FOLDER = 0o555;

  /** A database with trials, then made read-only as asked; returns its path and its bytes' hash. */
  async function prepare(fileMode: number, folderMode: number): Promise<{ dir: string; path: string; hash: string }> {
    const dir = folder();
    const path = join(dir, 'results.db');
    await makeDatabase(path);
    chmodSync(path, fileMode);
    chmodSync(dir, folderMode);
    return { dir, path, hash: sha256(path) };
  }

  it('refuses to open a read-only file for writing, naming it and what to do; reading it works and leaves nothing behind', async () => {
    const { dir, path, hash } = await prepare(0o444, WRITABLE_FOLDER);
    const writer = await openAsOtherUser(path, 'write');
    // The setup is real: the child itself may not write the file.
    expect(writer.mayWriteFile).toBe(false);
    expect(writer).toMatchObject({ opened: false, error: { name: 'HpsearchError', code: 'E_STORAGE' } });
    expect(writer.error!.message).toBe(`${path} is read-only for this user: give it write permission, or pass --db with the path of a writable copy`);

    const reader = await openAsOtherUser(path, 'read');
    expect(reader).toMatchObject({ opened: true, studies: ['victim'], trials: 40, writeError: { code: 'E_STORAGE' } });
    expect(reader.writeError!.message).toMatch(/the database is read-only/);
    expect(sha256(path)).toBe(hash);
    // No -wal or -shm owned by the reader beside someone else's file (the owner's next write would fail on them).
    expect(readdirSync(dir)).toEqual(['results.db']);
  });

  it('explains a folder where SQLite cannot create the -wal file; reading still works', async () => {
    const { dir, path, hash } = await prepare(0o666, READ_ONLY_FOLDER);
    const writer = await openAsOtherUser(path, 'write');
    expect(writer.mayWriteFile).toBe(true);
    expect(writer).toMatchObject({ opened: false, error: { code: 'E_STORAGE' } });
    expect(writer.error!.message).toBe(
      `${path}: opening failed: the folder ${dir} is not writable, and SQLite must create results.db-wal and results.db-shm there: ` +
        'make the folder writable, or copy the database to a writable folder and pass --db with the copy',
    );
    const reader = await openAsOtherUser(path, 'read');
    expect(reader).toMatchObject({ opened: true, studies: ['victim'], trials: 40 });
    expect(sha256(path)).toBe(hash);
    expect(readdirSync(dir)).toEqual(['results.db']);
  });

  it('reads a read-only file in a read-only folder (a read-only mount) and refuses to write it', async () => {
    const { dir, path, hash } = await prepare(0o444, READ_ONLY_FOLDER);
    const writer = await openAsOtherUser(path, 'write');
    expect(writer).toMatchObject({ mayWriteFile: false, opened: false, error: { code: 'E_STORAGE', message: expect.stringMatching(/is read-only for this user.*--db/) } });
    const reader = await openAsOtherUser(path, 'read');
    expect(reader).toMatchObject({ opened: true, studies: ['victim'], trials: 40, writeError: { code: 'E_STORAGE' } });
    expect(sha256(path)).toBe(hash);
    expect(readdirSync(dir)).toEqual(['results.db']);
  });

  it('reads what a running writer has committed but not yet checkpointed, through its -wal', async () => {
    const dir = folder();
    const path = join(dir, 'live.db');
    const writer = await openSqliteStorage(path);
    try {
      const study = await writer.createStudy({ name: 'live', direction: 'minimize', metric: 'loss', seed: 1, space: {} });
      for (let i = 0; i < 3; i++) {
        const trial = (await writer.claimTrial(study.id, { maxTrials: 3, owner: 'w' }))!;
        await writer.finishTrial(trial, { state: 'complete', value: i });
      }
      expect(existsSync(`${path}-wal`)).toBe(true);
      // The writer keeps writing through the files it has open.
      chmodSync(path, 0o444);
      chmodSync(dir, READ_ONLY_FOLDER);
      const reader = await openAsOtherUser(path, 'read');
      expect(reader).toMatchObject({ mayWriteFile: false, opened: true, studies: ['live'], trials: 3 });
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(path, 0o644);
      await writer.close();
    }
  });

  it('says why a new database cannot be created in a read-only folder, and creates nothing', async () => {
    const dir = folder();
    chmodSync(dir, READ_ONLY_FOLDER);
    const path = join(dir, 'new.db');
    const writer = await openAsOtherUser(path, 'write');
    expect(writer).toMatchObject({ opened: false, error: { code: 'E_STORAGE' } });
    expect(writer.error!.message).toBe(
      `${path}: opening failed: unable to open database file; check that ${dir} exists and this user may read and write it, or pass --db with another path`,
    );
    const nested = join(dir, 'runs', 'new.db');
    const inFolder = await openAsOtherUser(nested, 'write');
    expect(inFolder).toMatchObject({ opened: false, error: { code: 'E_STORAGE' } });
    expect(inFolder.error!.message).toMatch(
      new RegExp(`^cannot create the folder ${escapeRegExp(join(dir, 'runs'))} for ${escapeRegExp(nested)} \\(EACCES: permission denied.*\\): check its permissions, or pass --db with a path in a writable folder$`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a folder given as the database path', async () => {
    const dir = folder();
    await expect(openSqliteStorage(dir)).rejects.toMatchObject({
      code: 'E_STORAGE', message: `${dir} is a folder, not a database file; give a file path such as ${join(dir, 'hpsearch.db')}`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------

describe('a damaged database', () => {
  /** Overwrites one whole page of the file (1-based, as SQLite numbers them). */
  function overwritePage(path: string, pageno: number, byte: number): void {
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65_536 : bytes.readUInt16BE(16);
    bytes.fill(byte, (pageno - 1) * pageSize, pageno * pageSize);
    writeFileSync(path, bytes);
  }

  /** The leaf pages of a table or index, from SQLite's own page map. */
  function leafPages(path: string, name: string): number[] {
    // Read-write, so closing removes the -wal and -shm a read-only connection would leave.
    const db = new Database(path);
    try {
      return (db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").all(name) as { pageno: number }[])
        .map((row) => row.pageno);
    } finally {
      db.close();
    }
  }

  const DAMAGED = /^(.+): .+ failed: the database is damaged \((database disk image is malformed|.+)\); restore it from a backup, or pass --db with a new file$/;
  const NOT_SQLITE = / is not an SQLite database \(or is damaged\); give the path of an hpsearch database or of a new file$/;

  /** Opens (for writing, then for reading) and reads everything; returns each refusal. */
  async function everyRead(path: string): Promise<{ what: string; error: unknown }[]> {
    const refusals: { what: string; error: unknown }[] = [];
    for (const readonly of [false, true]) {
      let storage: Storage;
      try {
        storage = await openSqliteStorage(path, { readonly });
      } catch (error) {
        refusals.push({ what: `open${readonly ? ' read-only' : ''}`, error });
        continue;
      }
      const reads: [string, () => Promise<unknown>][] = [
        ['listStudies', () => storage.listStudies()],
        ['leaderboard', () => storage.leaderboard(1, { top: Infinity, direction: 'maximize' })],
        ['listTrials', () => storage.listTrials(1)],
        ['stepValues', () => storage.stepValues(1, 'acc', 2)],
        ...Array.from({ length: TRIALS }, (_, n): [string, () => Promise<unknown>] => [`getTrial ${n}`, () => storage.getTrial(1, n)]),
      ];
      for (const [what, read] of reads) await read().catch((error: unknown) => refusals.push({ what, error }));
      await storage.close();
    }
    return refusals;
  }

  function expectClear(refusals: { what: string; error: unknown }[], path: string, pattern: RegExp): void {
    expect(refusals.length).toBeGreaterThan(0);
    for (const { what, error } of refusals) {
      expect(error, what).toBeInstanceOf(HpsearchError);
      expect(error, what).toMatchObject({ code: 'E_STORAGE' });
      const message = (error as Error).message;
      expect(message, what).toMatch(pattern);
      expect(message, what).toContain(path);
      expect(message, what).not.toContain('\n');
    }
  }

  const TRIALS = 300;
  let template: string | undefined;
  /** A copy of one real 300-trial database, damaged as asked. */
  async function damaged(damage: (path: string) => void): Promise<{ path: string; hash: string }> {
    if (template === undefined) {
      template = join(folder(), 'template.db');
      await makeDatabase(template, TRIALS);
    }
    const path = join(folder(), 'damaged.db');
    copyFileSync(template, path);
    damage(path);
    return { path, hash: sha256(path) };
  }

  it('a trials page overwritten in the middle: a writer refuses it at open, a reader fails clearly where it meets it; unchanged', async () => {
    const { path, hash } = await damaged((p) => {
      const pages = leafPages(p, 'trials');
      expect(pages.length).toBeGreaterThan(4);
      overwritePage(p, pages[Math.floor(pages.length / 2)]!, 0xa5);
    });
    const refusals = await everyRead(path);
    expectClear(refusals, path, DAMAGED);
    // SQLite meets damage only where it reads: the writer checked every page before writing.
    expect(refusals[0]).toMatchObject({ what: 'open', error: { message: expect.stringMatching(/^.+: opening failed: the database is damaged/) } });
    expect(refusals.map((r) => r.what)).toEqual(expect.arrayContaining(['listTrials', 'leaderboard']));
    expect(sha256(path)).toBe(hash);

    // A reader that skips the check (as the reading commands do) opens it, and fails where it reads.
    const reader = await openSqliteStorage(path, { verify: false });
    try {
      expect((await reader.listStudies()).map((s) => s.name)).toEqual(['victim']);
      await expect(reader.listTrials(1)).rejects.toMatchObject({ code: 'E_STORAGE', message: expect.stringMatching(DAMAGED) });
    } finally {
      await reader.close();
    }
    expect(sha256(path)).toBe(hash);
  });

  it('a damaged file at an older schema is refused before it is upgraded, even by a reader', async () => {
    const path = join(folder(), 'old.db');
    copyFileSync(join(REPO, 'test', 'fixtures', 'db', 'schema-v1.db'), path);
    overwritePage(path, leafPages(path, 'trials')[0]!, 0xa5);
    const hash = sha256(path);
    await expect(openSqliteStorage(path, { verify: false })).rejects.toMatchObject({ code: 'E_STORAGE', message: expect.stringMatching(DAMAGED) });
    expect(sha256(path)).toBe(hash);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('an index page and a trial_steps page overwritten: the same', async () => {
    const { path, hash } = await damaged((p) => {
      overwritePage(p, leafPages(p, 'trials_by_value')[0]!, 0x00);
      const steps = leafPages(p, 'trial_steps');
      overwritePage(p, steps[Math.floor(steps.length / 2)]!, 0xff);
    });
    const refusals = await everyRead(path);
    expectClear(refusals, path, DAMAGED);
    expect(refusals[0]!.what).toBe('open');
    expect(refusals.some((r) => r.what.startsWith('getTrial'))).toBe(true);
    expect(sha256(path)).toBe(hash);
  });

  it('a damaged header: refused at open as not SQLite, unchanged', async () => {
    for (const damage of [
      (p: string) => writeFileSync(p, Buffer.concat([Buffer.from('SQLite format 9\0'), readFileSync(p).subarray(16)])),
      (p: string) => {
        const bytes = readFileSync(p);
        bytes.writeUInt16BE(1000, 16); // a page size that is no power of two
        writeFileSync(p, bytes);
      },
    ]) {
      const { path, hash } = await damaged(damage);
      const refusals = await everyRead(path);
      expect(refusals.map((r) => r.what)).toEqual(['open', 'open read-only']);
      expectClear(refusals, path, NOT_SQLITE);
      expect(sha256(path)).toBe(hash);
    }
  });

  it('a damaged schema page (page 1 after the header): refused at open as damaged, unchanged', async () => {
    const { path, hash } = await damaged((p) => {
      const bytes = readFileSync(p);
      bytes.fill(0xff, 100, 600);
      writeFileSync(p, bytes);
    });
    const refusals = await everyRead(path);
    expect(refusals.map((r) => r.what)).toEqual(['open', 'open read-only']);
    expectClear(refusals, path, DAMAGED);
    expect(sha256(path)).toBe(hash);
  });

  it('a truncated file, at a page boundary or inside a page: fails clearly, unchanged', async () => {
    for (const cut of [(size: number) => Math.floor(size / 4096 / 2) * 4096, () => 3 * 4096 + 17]) {
      const { path, hash } = await damaged((p) => truncateSync(p, cut(readFileSync(p).length)));
      expectClear(await everyRead(path), path, DAMAGED);
      expect(sha256(path)).toBe(hash);
    }
  });
});

// ---------------------------------------------------------------------------

describe('SQL in names and values', () => {
  it('the storage layer stores and returns hostile study, param and metric names and errors exactly, all tables intact', async () => {
    const path = join(folder(), 'injection.db');
    const expectedTables = await schemaNames();
    const storage = await openSqliteStorage(path);
    try {
      for (const [i, name] of HOSTILE.entries()) {
        const metric = HOSTILE[(i + 1) % HOSTILE.length]!;
        const created = await storage.createStudy({ name, direction: 'minimize', metric, seed: i, space: { [name]: name } });
        expect(await storage.getStudy(name)).toEqual(created);
        expect(created).toMatchObject({ name, metric, space: { [name]: name } });

        // Params named and valued like SQL, plus the names the JSON codec must not misread.
        const params = Object.fromEntries([
          ...HOSTILE.map((p, k) => [p, k % 2 === 0 ? HOSTILE[(k + i) % HOSTILE.length]! : k]),
          ['$number', 'NaN'],
          ['__proto__', 'Infinity'],
          ['constructor', Number.NEGATIVE_INFINITY],
        ]) as Record<string, string | number>;
        const steps = Object.fromEntries(HOSTILE.map((m, k) => [m, k + i / 10]));
        const metrics = Object.fromEntries([...HOSTILE.map((m, k) => [m, -(k + 1)]), ['__proto__', 1]]) as Record<string, number>;
        for (let n = 0; n < 3; n++) {
          const trial = (await storage.claimTrial(created.id, { maxTrials: 3, owner: name }))!;
          await storage.setTrialParams(trial, { params, samplerState: { round: n } });
          await storage.reportStep(trial, 0, steps);
          await storage.reportStep(trial, 1, { [metric]: n });
          if (n === 2) await storage.finishTrial(trial, { state: 'failed', error: `${name}\n${metric}` });
          else await storage.finishTrial(trial, { state: 'complete', value: n, metrics });
        }

        const trials = await storage.listTrials(created.id);
        expect(trials.map((t) => t.params)).toEqual([params, params, params]);
        expect(Object.getOwnPropertyNames(trials[0]!.params)).toEqual(Object.getOwnPropertyNames(params));
        expect(trials.map((t) => t.owner)).toEqual([name, name, name]);
        expect(trials[0]!.metrics).toEqual(metrics);
        expect(Object.getOwnPropertyNames(trials[0]!.metrics)).toContain('__proto__');
        expect(trials[2]).toMatchObject({ state: 'failed', error: `${name}\n${metric}` });
        const detail = (await storage.getTrial(created.id, 1))!;
        expect(detail.steps).toEqual([{ step: 0, values: steps }, { step: 1, values: { [metric]: 1 } }]);
        const board = await storage.leaderboard(created.id, { top: 10, direction: 'minimize', states: ['complete', 'failed'] });
        expect(board.map((row) => [row.number, row.params, row.error])).toEqual([
          [0, params, null], [1, params, null], [2, params, `${name}\n${metric}`],
        ]);
        expect(await storage.stepValues(created.id, metric, 1)).toEqual([0, 1, 2].map((n) => ({ number: n, state: n === 2 ? 'failed' : 'complete', value: n })));
        expect(await storage.stepValues(created.id, HOSTILE[0], 0)).toHaveLength(3);
        expect(await storage.getStudy(`${name}' OR '1'='1`)).toBeNull();
      }
      expect((await storage.listStudies()).map((s) => [s.name, s.counts.complete, s.counts.failed])).toEqual(HOSTILE.map((name) => [name, 2, 1]));
    } finally {
      await storage.close();
    }
    expect(objectNames(path)).toEqual(expectedTables);
    expect(integrity(path)).toBe('ok');
  });

  it('createStudy and optimize carry hostile param names, choices, metric names and thrown errors through intact', async () => {
    const path = join(folder(), 'library.db');
    const expectedTables = await schemaNames();
    const metric = "val'; DROP TABLE studies;--";
    const params: Record<string, unknown> = {
      [HOSTILE[0]]: { type: 'float', low: 0, high: 1 },
      [HOSTILE[1]]: { type: 'categorical', choices: [HOSTILE[2], HOSTILE[3], HOSTILE[5]] },
      [HOSTILE[4]]: { type: 'int', low: 1, high: 3 },
      [HOSTILE[6]]: HOSTILE[7],
    };
    const study = await createStudy({ name: 'safe-name', storage: path, direction: 'maximize', metric, seed: 3, params, search: { strategy: 'random', trials: 6 } });
    const seen = new Map<number, Record<string, unknown>>();
    const objective: Objective = async (given, ctx) => {
      seen.set(ctx.number, given);
      ctx.report(0, { [metric]: 0.1, [HOSTILE[2]]: ctx.number });
      ctx.report(1, { [metric]: 0.2, [HOSTILE[3]]: -(ctx.number + 1) });
      // A thrown string is stored as "thrown value: <it>".
      if (ctx.number % 3 === 2) throw `${HOSTILE[0]} ${HOSTILE[1]}`;
      return { value: ctx.number, metrics: { [HOSTILE[5]]: ctx.number } };
    };
    try {
      await study.optimize(objective, { workers: 2 });
      const trials = await study.trials();
      expect(trials).toHaveLength(6);
      for (const trial of trials) {
        expect(trial.params).toEqual(seen.get(trial.number));
        expect(Object.keys(trial.params).sort()).toEqual(Object.keys(params).sort());
        expect([HOSTILE[2], HOSTILE[3], HOSTILE[5]]).toContain(trial.params[HOSTILE[1]]);
        expect(trial.params[HOSTILE[6]]).toBe(HOSTILE[7]);
        if (trial.number % 3 === 2) expect(trial).toMatchObject({ state: 'failed', error: `thrown value: ${HOSTILE[0]} ${HOSTILE[1]}` });
        else expect(trial).toMatchObject({ state: 'complete', value: trial.number, metrics: { [HOSTILE[5]]: trial.number } });
        const detail = (await study.trial(trial.number))!;
        expect(detail.steps).toEqual([
          { step: 0, values: { [metric]: 0.1, [HOSTILE[2]]: trial.number } },
          { step: 1, values: { [metric]: 0.2, [HOSTILE[3]]: -(trial.number + 1) } },
        ]);
      }
      expect((await study.leaderboard()).map((row) => row.number)).toEqual([4, 3, 1, 0]);
      expect((await study.storage.stepValues(study.id, HOSTILE[3], 1)).map((v) => v.value)).toEqual([-1, -2, -3, -4, -5, -6]);
      expect((await study.storage.getStudy('safe-name'))!.metric).toBe(metric);
    } finally {
      await study.storage.close();
    }
    expect(objectNames(path)).toEqual(expectedTables);
    expect(integrity(path)).toBe('ok');
  });

  it('createStudy validates the study name as a space file does, before any file is written', async () => {
    const dir = folder();
    const path = join(dir, 'runs', 'never.db');
    for (const name of [...HOSTILE, '../escape', 'a/b', '.hidden', '', ' spaced', 'x'.repeat(129)]) {
      const error = await createStudy({ name, storage: path, direction: 'maximize', params: { x: { type: 'float', low: 0, high: 1 } } })
        .catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ValidationError);
      expect(error, name).toMatchObject({ code: 'E_VALIDATION', issues: [{ path: 'study' }] });
      expect((error as Error).message, name).toContain(
        'study: must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (at most 128 characters)',
      );
    }
    expect(readdirSync(dir)).toEqual([]);
    const ok = await createStudy({ name: 'A-1.b_c', storage: path, direction: 'maximize', params: { x: 1 } });
    expect(ok.name).toBe('A-1.b_c');
    await ok.storage.close();
  });
});

// ---------------------------------------------------------------------------

/**
 * Every SQL text in src/storage is a constant: values are bound, never spliced. A template
 * literal (or `+`) that builds SQL from anything but the constants below fails this test; add to
 * the list only a constant whose value is fixed in the source.
 */
const SPLICE_ALLOWED: Record<string, readonly string[]> = {
  'sqlite/wal.ts': ['BUSY_TIMEOUT_MS'],
  'sqlite/statements.ts': ["fromStates('release')"],
  'postgres/statements.ts': ['BOARD_COLUMNS', 'SERVER_NOW', "fromStates('release')"],
  // Builds UPDATEs from the transition table's constants and the placeholder text its callers
  // give; 'calls the SQL builders with literals only' below checks that those are literals.
  // `held`/`token`: the guard's token placeholder, also given as a literal by the callers.
  'transition-sql.ts': ['wantsState ? values.state! : quoted(transition.to)', "assignments.join(', ')", 'where', 'fromStates(name)', 'held', 'token'],
  // migration.version: the numbers of the static MIGRATIONS list, checked to be 1, 2, 3, ...
  'sqlite/migrations.ts': ['STATES_SQL', 'APPLICATION_ID', 'migration.version'],
};
const SQL_WORDS = /\b(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|WHERE|VALUES|FROM|JOIN|ORDER BY|GROUP BY|LIMIT|SET|INTO)\b|^\s*[a-z_]+\s*=/;
const SQL_CALLS = new Set(['prepare', 'exec', 'pragma', 'p']);
/** transition-sql.ts's builders: their arguments become SQL text. */
const SQL_BUILDERS = new Set(['transitionUpdate', 'fromStates']);

describe('SQL statements are never spliced from values', () => {
  const root = join(REPO, 'src', 'storage');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();

  /** Every expression spliced into SQL text in the file (`file` relative to src/storage, or absolute). */
  function splices(file: string): { at: string; expression: string }[] {
    const source = ts.createSourceFile(file, readFileSync(resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const found: { at: string; expression: string }[] = [];
    const line = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const sqlCall = (node: ts.Node): boolean => {
      const call = node.parent;
      if (!call || !ts.isCallExpression(call)) return false;
      const callee = call.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      return SQL_CALLS.has(name);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isTemplateExpression(node)) {
        const text = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ');
        if (SQL_WORDS.test(text) || sqlCall(node)) {
          for (const span of node.templateSpans) found.push({ at: line(span), expression: span.expression.getText(source) });
        }
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const literals = [node.left, node.right].filter((side) => ts.isStringLiteralLike(side)) as ts.StringLiteralLike[];
        if (literals.some((side) => SQL_WORDS.test(side.text)) || sqlCall(node)) {
          for (const side of [node.left, node.right]) if (!ts.isStringLiteralLike(side)) found.push({ at: line(side), expression: side.getText(source) });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  it('finds the storage sources', () => {
    expect(files).toEqual(expect.arrayContaining(Object.keys(SPLICE_ALLOWED)));
  });

  it('splices nothing into SQL but the listed constants', () => {
    const offending = files.flatMap((file) =>
      splices(file).filter(({ expression }) => !(SPLICE_ALLOWED[file] ?? []).includes(expression)).map(({ at, expression }) => `${at}: \${${expression}}`),
    );
    expect(offending).toEqual([]);
  });

  it('each listed constant is spliced somewhere and, if a name, is a const of a plain literal', () => {
    for (const [file, allowed] of Object.entries(SPLICE_ALLOWED)) {
      const used = new Set(splices(file).map((s) => s.expression));
      const text = readFileSync(resolve(root, file), 'utf8');
      for (const expression of allowed) {
        expect(used, `${file}: ${expression}`).toContain(expression);
        if (/^[A-Z_]+$/.test(expression)) {
          // const NAME = 'text' | "text" | 123 | 0x1f | 10_000 ; nothing computed.
          expect(text, `${file}: ${expression}`).toMatch(new RegExp(`^(export )?const ${expression} = ("[^"\`$]*"|'[^'\`$]*'|[0-9][0-9_]*|0x[0-9A-Fa-f]+);`, 'm'));
        }
      }
    }
  });

  it('calls the SQL builders with literals only (placeholders, never values)', () => {
    const calls: string[] = [];
    for (const file of files) {
      // A listed constant of the file (checked above to be a const of a plain literal) counts as a literal.
      const constant = (node: ts.Node) => ts.isIdentifier(node) && /^[A-Z_]+$/.test(node.text) && (SPLICE_ALLOWED[file] ?? []).includes(node.text);
      const literal = (node: ts.Node): boolean =>
        ts.isStringLiteralLike(node) ||
        (ts.isObjectLiteralExpression(node) &&
          node.properties.every((p) => ts.isPropertyAssignment(p) && (ts.isStringLiteralLike(p.initializer) || constant(p.initializer))));
      const source = ts.createSourceFile(file, readFileSync(resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && SQL_BUILDERS.has(node.expression.text) && file !== 'transition-sql.ts') {
          calls.push(file);
          for (const arg of node.arguments) expect(literal(arg), `${file}: ${node.getText(source)}`).toBe(true);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(new Set(calls)).toEqual(new Set(['sqlite/statements.ts', 'postgres/statements.ts']));
  });

  it('catches a spliced statement (the check itself works)', () => {
    const probe = join(folder(), 'probe.ts');
    writeFileSync(probe, [
      "db.prepare(`SELECT * FROM trials WHERE name = '${name}'`);",
      'const q = "DELETE FROM studies WHERE id = " + id;',
      'db.pragma(`user_version = ${version}`);',
      'db.exec(`${statement}`);',
      'throw new Error(`no study named ${name}`);',
    ].join('\n'));
    expect(splices(probe).map((s) => s.expression)).toEqual(['name', 'id', 'version', 'statement']);
  });
});
