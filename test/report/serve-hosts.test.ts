/**
 * The report server against DNS rebinding, on a real server and a real database: requests are
 * answered only when their Host names the server (its address, localhost, an allowed name).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudy } from '../../src/study/create.js';
import { openStorage } from '../../src/storage/open.js';
import type { Storage } from '../../src/storage/storage.js';
import { startReportServer, type ReportServer } from '../../src/report/serve.js';
import { HpsearchError } from '../../src/errors.js';
import { getWithHost, rawRequest } from '../helpers/http.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

describe('startReportServer: the Host header', () => {
  let storage: Storage;
  let server: ReportServer;
  let port: string;

  beforeAll(async () => {
    const db = join(tempDir(), 'hosts.db');
    const study = await createStudy({ name: 'hosts', storage: db, direction: 'maximize', params: { x: { type: 'float', low: 0, high: 1 } } });
    for (let i = 0; i < 3; i++) {
      const trial = await study.ask();
      await study.tell(trial!, i);
    }
    await study.close();
    storage = await openStorage(db);
    server = await startReportServer(storage, { port: 0, allowedHosts: ['hpsearch.test'] });
    port = new URL(server.url).port;
  });

  afterAll(async () => {
    await server?.close();
    await storage?.close();
  });

  it('answers the bound address, localhost and an allowed name, with and without the port', async () => {
    for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'localhost', `hpsearch.test:${port}`, 'HPSearch.test']) {
      const index = await getWithHost(server.url, host);
      expect(index.status, host).toBe(200);
      expect(index.body).toContain('<a href="/study/hosts">hosts</a>');
    }
    const api = await getWithHost(server.url, `localhost:${port}`, '/api/study/hosts');
    expect(api.status).toBe(200);
    expect((JSON.parse(api.body) as { data: { trials: unknown[] } }).data.trials).toHaveLength(3);
  });

  it('refuses a foreign Host with 403 and a one-line reason, on every path, before reading anything', async () => {
    for (const path of ['/', '/study/hosts', '/api/study/hosts', '/nowhere']) {
      const answer = await getWithHost(server.url, 'evil.example:8080', path);
      expect(answer.status, path).toBe(403);
      expect(answer.type).toBe('text/plain; charset=utf-8');
      expect(answer.body).toBe(
        '403: Host "evil.example:8080" is not allowed; hpsearch serve answers only localhost, 127.0.0.1 and names given with --allow-host',
      );
      expect(answer.body).not.toContain('\n');
    }
    // A name that merely starts like an allowed one, or the same name under another one, is another name.
    expect((await getWithHost(server.url, `hpsearch.test.evil.example:${port}`)).status).toBe(403);
    expect((await getWithHost(server.url, `localhost.evil.example:${port}`)).status).toBe(403);
  });

  it('refuses an HTTP/1.0 request without a Host header, and answers one with it', async () => {
    const without = await rawRequest(server.url, 'GET / HTTP/1.0\r\n\r\n');
    expect(without).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(without).toMatch(/\r\n\r\n403: the request has no Host header; hpsearch serve answers only localhost, 127\.0\.0\.1 and names given with --allow-host$/);
    const withHost = await rawRequest(server.url, `GET / HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(withHost).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('refuses allowedHosts that are not host names, naming the option', async () => {
    await expect(startReportServer(storage, { port: 0, allowedHosts: ['box.lan', 'http://box.lan:80'] })).rejects.toThrow(HpsearchError);
    await expect(startReportServer(storage, { port: 0, allowedHosts: ['box.lan', 'http://box.lan:80'] })).rejects.toThrow(
      /^options\.allowedHosts\[1\] must be a host name or IP address without scheme, port or path/,
    );
  });
});

describe('startReportServer bound to IPv6 loopback', () => {
  it('answers [::1]:port and localhost, and refuses other names', async (context) => {
    const storage = await openStorage(join(tempDir(), 'v6.db'));
    let server: ReportServer;
    try {
      server = await startReportServer(storage, { host: '::1', port: 0 });
    } catch (error) {
      await storage.close();
      // A machine without IPv6 loopback: nothing to test here.
      if ((error as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL' || (error as NodeJS.ErrnoException).code === 'EAFNOSUPPORT') return context.skip();
      throw error;
    }
    try {
      expect(server.url).toMatch(/^http:\/\/\[::1\]:\d+\/$/);
      const port = new URL(server.url).port;
      for (const host of [`[::1]:${port}`, '[::1]', `localhost:${port}`]) expect((await getWithHost(server.url, host)).status, host).toBe(200);
      const refused = await getWithHost(server.url, `127.0.0.1:${port}`);
      expect(refused.status).toBe(403);
      expect(refused.body).toBe(`403: Host "127.0.0.1:${port}" is not allowed; hpsearch serve answers only localhost, [::1] and names given with --allow-host`);
    } finally {
      await server.close();
      await storage.close();
    }
  });
});
