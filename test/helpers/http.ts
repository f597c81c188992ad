import { request } from 'node:http';
import { connect } from 'node:net';

export interface HttpAnswer {
  status: number;
  type: string | undefined;
  body: string;
}

/**
 * GET `path` from the server at `url` with this exact Host header (fetch sets its own), as a
 * page that rebound a name to 127.0.0.1 would send it.
 */
export function getWithHost(url: string, host: string, path = '/'): Promise<HttpAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), path, method: 'GET', headers: { host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Sends `text` as it is (e.g. an HTTP/1.0 request without Host) and resolves to the whole answer. */
export function rawRequest(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(text);
  });
}
