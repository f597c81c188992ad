/**
 * The CLI against hostile databases and hostile names, in child processes as a user would run
 * it: one clear line and exit code 1 (or 2 for what the command line must fix), never a stack
 * trace, and the database file byte for byte as it was.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseSpace } from '../../src/space/load.js';
import { MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';
import { OBJECTIVES, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
/** A temporary folder another user can reach (mkdtemp makes it private). */
function sharedDir(): string {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  return dir;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Root ignores permissions: as root the CLI runs as nobody, so they apply; as anyone else, as itself. */
const OTHER_USER = process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};

/** Exit 1 or 2 with exactly one line on stderr, `hpsearch: ...`, that matches `pattern`; nothing on stdout. */
function expectOneLine(result: CliResult, code: 1 | 2, pattern: RegExp): void {
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^hpsearch: /);
  expect(result.stderr.trimEnd()).toMatch(pattern);
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
}

const space = (study: string, trials = 6) =>
  moduleSpaceYaml({ study, seed: 7, trials, params: ['lr: { type: float, low: 1.0e-5, high: 1.0e-1, log: true }', 'epochs: 3'] });

/** A database with one finished study "best", written by the CLI; returns the space file too. */
async function studyDatabase(dir: string, db: string): Promise<string> {
  const file = join(dir, 'best.yaml');
  writeFileSync(file, space('best'));
  const run = await runCli(['run', file, '--db', db, '--workers', '1'], { cwd: dir });
  expect(run.stderr).not.toMatch(/unexpected error/);
  expect(run.code).toBe(0);
  return file;
}

function tableNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('hpsearch on a database this user may not write', () => {
  it('reading commands read it (a read-only mount); run refuses it in one line; nothing changes', async () => {
    const dir = sharedDir();
    const results = join(dir, 'results');
    const db = join(results, 'hp.db');
    const file = await studyDatabase(dir, db);
    const expected = await runCli(['leaderboard', 'best', '--db', db, '--format', 'json']);
    expect(expected.code).toBe(0);
    chmodSync(db, 0o444);
    chmodSync(results, 0o555);
    const hash = sha256(db);
    try {
      const board = await runCli(['leaderboard', 'best', '--db', db, '--format', 'json'], { cwd: dir, ...OTHER_USER });
      expect(board.stderr).toBe('');
      expect(board.code).toBe(0);
      expect(board.stdout).toBe(expected.stdout);
      const studies = await runCli(['studies', '--db', db, '--format', 'json'], { cwd: dir, ...OTHER_USER });
      expect(studies.code).toBe(0);
      expect((JSON.parse(studies.stdout) as { name: string }[]).map((s) => s.name)).toEqual(['best']);
      const trial = await runCli(['trial', 'best', '0', '--db', db, '--format', 'json'], { cwd: dir, ...OTHER_USER });
      expect(trial.code).toBe(0);
      expect(JSON.parse(trial.stdout)).toMatchObject({ number: 0, state: 'complete' });

      const resume = await runCli(['run', file, '--db', db, '--resume', '--trials', '8', '--workers', '1'], { cwd: dir, ...OTHER_USER });
      expectOneLine(resume, 1, new RegExp(`^hpsearch: ${db} is read-only for this user: give it write permission, or pass --db with the path of a writable copy$`));
      expect(sha256(db)).toBe(hash);
      expect(readdirSync(results)).toEqual(['hp.db']);
    } finally {
      chmodSync(results, 0o755);
    }
  });

  it('run in a folder SQLite cannot write says which folder and what to do', async () => {
    const dir = sharedDir();
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const file = join(dir, 'best.yaml');
    writeFileSync(file, space('best'));
    const db = join(locked, 'hp.db');
    const result = await runCli(['run', file, '--db', db, '--workers', '1'], { cwd: dir, ...OTHER_USER });
    expectOneLine(result, 1, /^hpsearch: .*hp\.db: opening failed: unable to open database file; check that .*locked exists and this user may read and write it, or pass --db with another path$/);
    expect(readdirSync(locked)).toEqual([]);
  });
});

describe('hpsearch on a damaged database', () => {
  /** Overwrites one page (1-based) of the file with `byte`. */
  function overwritePage(path: string, pageno: number, byte: number): void {
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65_536 : bytes.readUInt16BE(16);
    bytes.fill(byte, (pageno - 1) * pageSize, pageno * pageSize);
    writeFileSync(path, bytes);
  }

  function leafPage(path: string, name: string): number {
    const db = new Database(path);
    try {
      return (db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno LIMIT 1").get(name) as { pageno: number }).pageno;
    } finally {
      db.close();
    }
  }

  it('every command fails in one line naming the file (or works), and the file is unchanged', async () => {
    const dir = sharedDir();
    const original = join(dir, 'original.db');
    const file = await studyDatabase(dir, original);
    const damages: [string, (path: string) => void, RegExp][] = [
      ['a trials page', (p) => overwritePage(p, leafPage(p, 'trials'), 0xa5), /: the database is damaged \(.+\); restore it from a backup, or pass --db with a new file$/],
      ['the header', (p) => overwritePage(p, 1, 0x00), /is not an SQLite database \(or is damaged\); give the path of an hpsearch database or of a new file$/],
      ['the end cut off', (p) => truncateSync(p, 4096 * 2 + 100), /: the database is damaged \(.+\); restore it from a backup, or pass --db with a new file$/],
    ];
    for (const [what, damage, pattern] of damages) {
      const db = join(dir, `${what.replace(/ /g, '-')}.db`);
      copyFileSync(original, db);
      damage(db);
      const hash = sha256(db);
      const commands = [
        ['leaderboard', 'best', '--db', db],
        ['trial', 'best', '0', '--db', db],
        ['studies', '--db', db],
        ['report', 'best', '--db', db, '--out', join(dir, 'report.html')],
        ['run', file, '--db', db, '--resume', '--trials', '8', '--workers', '1'],
      ];
      let failed = 0;
      for (const args of commands) {
        const result = await runCli(args, { cwd: dir });
        if (result.code === 0) continue;
        failed++;
        expectOneLine(result, 1, pattern);
        expect(result.stderr, `${what}: ${args[0]}`).toContain(db);
      }
      // Those that read every trial cannot have worked; run (the writer) refused before starting.
      expect(failed, what).toBeGreaterThanOrEqual(4);
      expect(sha256(db), what).toBe(hash);
    }
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});

describe('hpsearch on a database from a newer hpsearch or another application', () => {
  it('refuses it in one line, with exit 1, leaving it untouched', async () => {
    const dir = sharedDir();
    const db = join(dir, 'future.db');
    const file = await studyDatabase(dir, db);
    const raw = new Database(db);
    raw.pragma('user_version = 99');
    raw.close();
    const hash = sha256(db);
    const newer = new RegExp(`^hpsearch: ${db} was written by a newer hpsearch \\(schema 99, this one knows ${MIGRATIONS.length}\\); upgrade hpsearch$`);
    expectOneLine(await runCli(['leaderboard', 'best', '--db', db], { cwd: dir }), 1, newer);
    expectOneLine(await runCli(['studies', '--db', db], { cwd: dir }), 1, newer);
    expectOneLine(await runCli(['run', file, '--db', db, '--resume', '--workers', '1'], { cwd: dir }), 1, newer);
    expect(sha256(db)).toBe(hash);
    expect(readdirSync(dir).filter((f) => f.startsWith('future.db'))).toEqual(['future.db']);

    const photos = join(dir, 'photos.db');
    const other = new Database(photos);
    other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO photos (title) VALUES ('cat')");
    other.close();
    const photosHash = sha256(photos);
    const foreign = /is not an hpsearch database \(it belongs to another application\); give the path of an hpsearch database or of a new file$/;
    expectOneLine(await runCli(['studies', '--db', photos], { cwd: dir }), 1, foreign);
    expectOneLine(await runCli(['run', file, '--db', photos, '--workers', '1'], { cwd: dir }), 1, foreign);
    expect(sha256(photos)).toBe(photosHash);

    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database\n'.repeat(100));
    expectOneLine(await runCli(['leaderboard', 'best', '--db', notes], { cwd: dir }), 1, /is not an SQLite database/);
    expect(readFileSync(notes, 'utf8')).toBe('not a database\n'.repeat(100));
  });
});

describe('hpsearch with SQL in names', () => {
  const PARAM_NAMES = ["x'; DROP TABLE trials;--", '"; DELETE FROM studies; --', "Robert'); DROP TABLE studies;--", 'back\\slash \'single\' "double"', 'ünïcødé 🎲'];
  const CHOICES = ["'); DELETE FROM trials; --", 'a"b', 'c\\d', '名前'];
  const METRIC = "val'; DROP TABLE studies;--";

  it('param names, choices, metric names and errors round-trip through run, leaderboard and trial; every table survives', async () => {
    const dir = sharedDir();
    const db = join(dir, 'hp.db');
    // JSON is a space file too, and spells every name exactly.
    const file = join(dir, 'names.json');
    writeFileSync(file, JSON.stringify({
      study: 'names',
      seed: 1,
      objective: { module: join(OBJECTIVES, 'hostile-names.mjs'), metric: METRIC, direction: 'maximize' },
      search: { strategy: 'random', trials: 6 },
      params: {
        [PARAM_NAMES[0]!]: { type: 'float', low: 0, high: 1 },
        [PARAM_NAMES[1]!]: { type: 'categorical', choices: CHOICES },
        [PARAM_NAMES[2]!]: { type: 'int', low: 1, high: 5 },
        [PARAM_NAMES[3]!]: "'; DROP TABLE trial_steps; --",
        [PARAM_NAMES[4]!]: { type: 'fixed', value: 'ünïcødé ✓' },
      },
    }));
    const run = await runCli(['run', file, '--db', db, '--workers', '2', '--format', 'json'], { cwd: dir });
    expect(run.stderr).not.toMatch(/unexpected error/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ metric: METRIC, counts: { complete: 4, failed: 2 } });

    const board = await runCli(['leaderboard', 'names', '--db', db, '--all', '--format', 'json'], { cwd: dir });
    expect(board.code).toBe(0);
    const rows = JSON.parse(board.stdout) as { number: number; state: string; params: Record<string, unknown> }[];
    expect(rows.map((r) => [r.number, r.state])).toEqual([[4, 'complete'], [3, 'complete'], [1, 'complete'], [0, 'complete'], [2, 'failed'], [5, 'failed']]);
    for (const row of rows) {
      expect(Object.keys(row.params).sort()).toEqual([...PARAM_NAMES].sort());
      expect(CHOICES).toContain(row.params[PARAM_NAMES[1]!]);
      expect(row.params[PARAM_NAMES[3]!]).toBe("'; DROP TABLE trial_steps; --");
      expect(row.params[PARAM_NAMES[4]!]).toBe('ünïcødé ✓');
      const trial = await runCli(['trial', 'names', String(row.number), '--db', db, '--format', 'json'], { cwd: dir });
      expect(trial.code).toBe(0);
      const detail = JSON.parse(trial.stdout) as { params: unknown; error: string | null; metrics: unknown; steps: unknown };
      expect(detail.params).toEqual(row.params);
      expect(detail.steps).toEqual([
        { step: 0, "x'; DROP TABLE trials;--": row.number, '"; DELETE FROM studies; --': 0.5 },
        { step: 1, [METRIC]: row.number / 10, 'it\'s "quoted" \\ back': -1 },
      ]);
      if (row.state === 'failed') {
        expect(detail.error).toBe(`thrown value: Robert'); DROP TABLE studies;-- (trial ${row.number})`);
      } else {
        expect(detail.metrics).toEqual({ "x'; DROP TABLE trials;--": row.number });
      }
    }

    // A name typed on the command line is looked up, not run.
    const lookup = await runCli(['leaderboard', "x'; DROP TABLE trials;--", '--db', db], { cwd: dir });
    expectOneLine(lookup, 2, /^hpsearch: no study "x'; DROP TABLE trials;--"/);
    const trialLookup = await runCli(['trial', "names' OR '1'='1", '0', '--db', db], { cwd: dir });
    expect(trialLookup.code).toBe(2);

    expect(tableNames(db)).toEqual(expect.arrayContaining(['studies', 'trial_steps', 'trials']));
    const check = new Database(db, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.prepare('SELECT COUNT(*) AS n FROM trials').get()).toEqual({ n: 6 });
      expect(check.prepare('SELECT COUNT(*) AS n FROM trial_steps').get()).toEqual({ n: 24 });
    } finally {
      check.close();
    }
  });

  it('run --study with a name that is not a plain one exits 2 before any file is written', async () => {
    const dir = sharedDir();
    const file = join(dir, 'best.yaml');
    writeFileSync(file, space('best'));
    for (const name of ["x'; DROP TABLE trials;--", '../escape', 'a/b', '..', '.hidden', '', 'ünïcødé']) {
      const result = await runCli(['run', file, '--study', name, '--report'], { cwd: dir });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain('study: must start with a letter or digit and contain only letters, digits, ".", "_" and "-"');
      expect(readdirSync(dir), name).toEqual(['best.yaml']);
    }
  });

  it('report keeps a study name another tool stored inside runs/ unless --out says where', async () => {
    const dir = sharedDir();
    const work = join(dir, 'work');
    mkdirSync(work);
    const db = join(work, 'hp.db');
    await studyDatabase(work, db);
    const raw = new Database(db);
    raw.prepare('UPDATE studies SET name = ?').run('../../escape');
    raw.close();
    const refused = await runCli(['report', '../../escape', '--db', db], { cwd: work });
    expectOneLine(refused, 2, /^hpsearch: study name "\.\.\/\.\.\/escape" cannot name a folder under runs\/: give the report's path with --out FILE$/);
    expect(existsSync(join(dir, 'escape'))).toBe(false);
    expect(existsSync(join(work, 'runs'))).toBe(false);
    const out = join(dir, 'chosen.html');
    const written = await runCli(['report', '../../escape', '--db', db, '--out', out], { cwd: work });
    expect(written.stderr).not.toMatch(/unexpected error/);
    expect(written.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});

describe('space files are data', () => {
  const polluted = () => (Object.prototype as Record<string, unknown>)['polluted'] ?? ({} as Record<string, unknown>)['polluted'];
  const document = (params: string, top = '') => `study: data
objective: { module: ${join(OBJECTIVES, 'echo-params.mjs')}, direction: maximize }
search: { strategy: random, trials: 2 }
params:
${params}
${top}`;

  it('JS tags from other YAML loaders are plain strings: nothing is run, in the CLI or the library', async () => {
    const dir = sharedDir();
    const marker = join(dir, 'ran');
    const text = document([
      `  fn: !!js/function "function () { require('node:fs').writeFileSync('${marker}', 'x'); globalThis.ran = true }"`,
      '  pattern: !!js/regexp /^a+$/',
      "  nothing: !!js/undefined ''",
      `  tagged: !<tag:yaml.org,2002:js/function> "() => require('node:fs').writeFileSync('${marker}', 'x')"`,
      '  x: { type: float, low: 0, high: 1 }',
    ].join('\n'));
    const { space } = parseSpace(text, 'tags.yaml', dir);
    expect(space.params).toMatchObject({
      fn: { type: 'fixed', value: expect.stringMatching(/^function \(\) \{/) },
      pattern: { type: 'fixed', value: '/^a+$/' },
      nothing: { type: 'fixed', value: '' },
      tagged: { type: 'fixed', value: expect.stringMatching(/^\(\) =>/) },
    });
    const file = join(dir, 'tags.yaml');
    writeFileSync(file, text);
    const run = await runCli(['run', file, '--db', join(dir, 'hp.db'), '--workers', '1', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const params = (JSON.parse(run.stdout) as { best: { params: Record<string, unknown> }[] }).best[0]!.params;
    expect(typeof params['fn']).toBe('string');
    expect(params['pattern']).toBe('/^a+$/');
    expect(existsSync(marker)).toBe(false);
    expect((globalThis as Record<string, unknown>)['ran']).toBeUndefined();
  });

  it('__proto__ and constructor keys do not reach Object.prototype', () => {
    const texts = [
      document('  x: { type: float, low: 0, high: 1 }', '__proto__: { polluted: yes }\nconstructor: { prototype: { polluted: yes } }'),
      document('  x: { type: float, low: 0, high: 1, __proto__: { polluted: yes } }'),
      document('  __proto__: { type: float, low: 0, high: 1, polluted: yes }\n  x: 1'),
      document('  constructor: { prototype: { polluted: yes } }\n  x: 1'),
      // The same through JSON, whose parser makes "__proto__" an own key.
      JSON.stringify({ study: 'data', objective: { module: join(OBJECTIVES, 'echo-params.mjs'), direction: 'maximize' }, search: { strategy: 'random', trials: 2 }, params: { x: 1 }, ['__proto__']: { polluted: 'yes' } }),
    ];
    for (const text of texts) {
      try {
        parseSpace(text, 'proto.yaml', OBJECTIVES);
      } catch (error) {
        expect(error, text).toMatchObject({ code: 'E_VALIDATION' });
      }
      expect(polluted(), text).toBeUndefined();
    }
  });

  it('a param named constructor is an ordinary param', () => {
    const { space } = parseSpace(document('  constructor: { type: int, low: 1, high: 4 }'), 'ctor.yaml', OBJECTIVES);
    expect(Object.keys(space.params)).toEqual(['constructor']);
    expect(space.params['constructor']).toMatchObject({ type: 'int', low: 1, high: 4 });
  });

  it('keys every object inherits are unknown keys in a space file', () => {
    for (const top of ['constructor: 1', '__proto__: { x: 1 }', 'toString: 1']) {
      expect(() => parseSpace(document('  x: 1', top), 'keys.yaml', OBJECTIVES), top).toThrow(/unknown key/);
    }
  });

  it('a param named __proto__ is rejected, not silently dropped', () => {
    expect(() => parseSpace(document('  __proto__: 5\n  x: 1'), 'proto.yaml', OBJECTIVES)).toThrow(/params\.__proto__: "__proto__" cannot be a param name/);
  });
});
