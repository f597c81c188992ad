import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isHpsearchError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { allowedHostName, hostCheck, type HostCheck } from './allowed-hosts.js';
import { collectReportData, type CollectOptions } from './collect.js';
import { escapeHtml, renderPage } from './html/page.js';
import { STYLE } from './html/style.js';
import { buildPayload } from './payload.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8421;

export interface ServeOptions extends CollectOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often an open page asks for a new revision (default 2000 ms). */
  pollMs?: number;
  /**
   * Host names (or addresses) to answer besides the bound address and `localhost`, e.g. the name
   * a tunnel or a hosts-file entry gives the machine. Requests whose `Host` header names anything
   * else get 403: a web page cannot read the studies by DNS rebinding. The port is not checked.
   */
  allowedHosts?: readonly string[];
}

export interface ReportServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The report's views, live: `/` lists the studies, `/study/<name>` is the report page, and
 * `/api/study/<name>?revision=R` answers the payload, or 204 while R is still current. Every
 * request reads the database afresh, so a page follows a study that another process is running.
 * Only GET and HEAD; binds 127.0.0.1 unless told otherwise; answers only requests whose Host
 * names the bound address, localhost or one of `allowedHosts` (see allowed-hosts.ts), else 403.
 */
export async function startReportServer(storage: Storage, options: ServeOptions = {}): Promise<ReportServer> {
  const pollMs = options.pollMs ?? 2000;
  const allowedHosts = (options.allowedHosts ?? []).map((name, i) => allowedHostName(name, `options.allowedHosts[${i}]`));
  const host = options.host ?? DEFAULT_HOST;
  /** Made once the socket says which address it is bound to. */
  let checkHost: HostCheck | undefined;
  const server = createServer((request, response) => {
    checkHost ??= hostCheck({ bound: (server.address() as AddressInfo).address, requested: host, allowed: allowedHosts });
    const refused = checkHost(request.headers.host);
    if (refused !== undefined) return send(response, 403, 'text/plain; charset=utf-8', refused);
    handle(request, response).catch((error: unknown) => {
      const known = isHpsearchError(error);
      send(response, known && error.code === 'E_STUDY_NOT_FOUND' ? 404 : 500, 'text/plain; charset=utf-8', (error as Error).message);
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'only GET and HEAD');
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0) return send(response, 200, 'text/html; charset=utf-8', await indexPage(storage));
    if (parts.length === 2 && parts[0] === 'study') {
      const payload = buildPayload(await collectReportData(storage, parts[1]!, options));
      const live = `/api/study/${encodeURIComponent(parts[1]!)}`;
      return send(response, 200, 'text/html; charset=utf-8', renderPage(payload, { live, pollMs }));
    }
    if (parts.length === 3 && parts[0] === 'api' && parts[1] === 'study') {
      const payload = buildPayload(await collectReportData(storage, parts[2]!, options));
      if (url.searchParams.get('revision') === payload.revision) return send(response, 204, 'text/plain', '');
      return send(response, 200, 'application/json', JSON.stringify(payload));
    }
    return send(response, 404, 'text/plain; charset=utf-8', `no page ${url.pathname}: try / or /study/<name>`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${urlHost}:${address.port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

async function indexPage(storage: Storage): Promise<string> {
  const studies = await storage.listStudies();
  const rows = studies
    .map((s) => {
      const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
      const best = s.best === null ? '-' : String(Number(s.best.toPrecision(4)));
      return `<tr><td><a href="/study/${encodeURIComponent(s.name)}">${escapeHtml(s.name)}</a></td><td class="num">${total}</td><td class="num">${s.counts.complete}</td><td class="num">${s.counts.running}</td><td>${escapeHtml(s.metric)} (${s.direction})</td><td class="num">${best}</td></tr>`;
    })
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hpsearch · studies</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>${STYLE}</style></head><body><header><h1>Studies</h1><p id="summary">${escapeHtml(storage.location)}</p></header><main>
${studies.length === 0 ? '<p class="empty">No studies yet: run <code>hpsearch run &lt;space-file&gt;</code>.</p>' : `<div class="table-wrap"><table><thead><tr><th>study</th><th>trials</th><th>complete</th><th>running</th><th>metric</th><th>best</th></tr></thead><tbody>${rows}</tbody></table></div>`}
</main></body></html>`;
}
