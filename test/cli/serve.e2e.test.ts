/** `hpsearch serve` as a user starts it, against DNS rebinding: which Host headers it answers. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { getWithHost } from '../helpers/http.js';
import { serve, type ServeProcess } from '../helpers/serve.js';
import { useTempDir } from '../helpers/temp.js';
import { moduleSpaceYaml } from '../helpers/spaces.js';

const tempDir = useTempDir();

describe('hpsearch serve and the Host header', () => {
  let dir: string;
  let db: string;
  let server: ServeProcess;
  let port: string;

  beforeAll(async () => {
    dir = tempDir();
    db = join(dir, 'served.db');
    const space = join(dir, 'served.yaml');
    writeFileSync(space, moduleSpaceYaml({ study: 'served', seed: 3, trials: 3, params: ['lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }'] }));
    const run = await runCli(['run', space, '--db', db, '--workers', '1']);
    expect(run.code, run.stderr).toBe(0);
    server = await serve(db, ['--allow-host', 'hpsearch.test', '--allow-host', 'box.lan']);
    port = new URL(server.url).port;
  });

  afterAll(() => {
    server?.child.kill('SIGINT');
  });

  it('answers 127.0.0.1:port, localhost:port and the names given with --allow-host', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `hpsearch.test:${port}`, 'box.lan']) {
      const page = await getWithHost(server.url, host, '/study/served');
      expect(page.status, host).toBe(200);
      expect(page.type).toBe('text/html; charset=utf-8');
    }
  });

  it('refuses a foreign Host with 403 and the reason', async () => {
    const answer = await getWithHost(server.url, 'evil.example:8080', '/api/study/served');
    expect(answer.status).toBe(403);
    expect(answer.body).toBe(
      '403: Host "evil.example:8080" is not allowed; hpsearch serve answers only localhost, 127.0.0.1 and names given with --allow-host',
    );
    expect(server.stderr()).not.toMatch(/error/i);
  });

  it('documents --allow-host with an example, and refuses a value that is not a host name', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toMatch(/--allow-host <name>/);
    expect(help.stdout).toMatch(/\$ hpsearch serve .*--allow-host \S+/);
    const bad = await runCli(['serve', '--db', db, '--allow-host', 'http://box.lan:8421']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--allow-host must be a host name or IP address without scheme, port or path');
  });
});

