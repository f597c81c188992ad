import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultReportPath } from '../../src/report/write.js';
import { runCli } from '../helpers/cli.js';
import { REPO, useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const SPACE = join(REPO, 'test', 'fixtures', 'spaces', 'report.yaml');

/** The payload a report file carries. */
function payloadOf(file: string): { data: { scatter: unknown; trials: unknown[] }; views: Array<{ id: string; empty: string | null }> } {
  const html = readFileSync(file, 'utf8');
  const json = /<script id="hpsearch-payload" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
  return JSON.parse(json) as ReturnType<typeof payloadOf>;
}

describe('hpsearch report and run --report, in child processes', () => {
  it('run --report writes runs/<study>/report.html under the working folder, with every view drawn', async () => {
    const dir = tempDir();
    const result = await runCli(['run', SPACE, '--db', join(dir, 'r.db'), '--workers', '1', '--trials', '8', '--report'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('hpsearch: report: runs/report/report.html');
    const payload = payloadOf(join(dir, 'runs', 'report', 'report.html'));
    expect(payload.data.trials).toHaveLength(8);
    expect(payload.data.scatter).toEqual({ x: 'learning_rate', y: 'weight_decay' });
    expect(payload.views.filter((v) => v.empty !== null).map((v) => v.id)).toEqual(['rounds']);
  });

  it('honours --out and --scatter, and refuses what it cannot do with exit code 2 and a hint', async () => {
    const dir = tempDir();
    const db = join(dir, 'r.db');
    expect((await runCli(['run', SPACE, '--db', db, '--workers', '1', '--trials', '6'])).code).toBe(0);

    const out = join(dir, 'nested', 'mine.html');
    const custom = await runCli(['report', 'report', '--db', db, '--out', out, '--scatter', 'weight_decay,learning_rate']);
    expect(custom.code).toBe(0);
    expect(custom.stderr).toMatch(/wrote .*mine\.html \(6 trials, \d+ KiB\); open it in a browser/);
    expect(payloadOf(out).data.scatter).toEqual({ x: 'weight_decay', y: 'learning_rate' });

    const typo = await runCli(['report', 'reprot', '--db', db, '--out', join(dir, 'x.html')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no study "reprot" .*did you mean "report"\?/);
    const categorical = await runCli(['report', 'report', '--db', db, '--out', join(dir, 'x.html'), '--scatter', 'optimizer,learning_rate']);
    expect(categorical.code).toBe(2);
    expect(categorical.stderr).toMatch(/--scatter: "optimizer" is not a numeric param of study "report" \(its numeric params: learning_rate, weight_decay\)/);
    const malformed = await runCli(['report', 'report', '--db', db, '--scatter', 'learning_rate']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/expected two param names separated by a comma/);
    const noDb = await runCli(['report', 'report', '--db', join(dir, 'none.db')]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/no database at/);
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
    expect(existsSync(join(dir, 'none.db'))).toBe(false);

    const help = await runCli(['report', '--help']);
    expect(help.stdout).toMatch(/Examples:\n  \$ hpsearch report best5/);
    const serveHelp = await runCli(['serve', '--help']);
    expect(serveHelp.stdout).toMatch(/--host <address>[\s\S]*default: "127\.0\.0\.1"/);
  });

  it('keeps the default report path inside runs/', () => {
    expect(defaultReportPath('best5')).toBe(join('runs', 'best5', 'report.html'));
    for (const name of ['../etc', 'a/b', 'a\\b', '..', '.', '']) {
      expect(() => defaultReportPath(name), name).toThrow(/cannot name a folder under runs\/: give the report's path with --out FILE/);
    }
  });
});
