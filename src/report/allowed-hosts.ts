/**
 * Which `Host` headers the report server answers: the defence against DNS rebinding. A page on
 * evil.example can make its own name resolve to 127.0.0.1 and then read http://evil.example:8421/
 * as its own origin; binding 127.0.0.1 does not stop that, but such requests say
 * `Host: evil.example:8421`, which names nothing the server was started with. So the server
 * answers only Host values naming the address it is bound to, `localhost`, or a name it was given
 * (as Jupyter and Vite's dev server do). An IP address cannot be rebound, so when the server is
 * bound to every address (0.0.0.0, ::), any IP address is one of its own. The port is not checked:
 * a tunnel or proxy may change it, and rebinding does not depend on it. A request without a Host
 * header (HTTP/1.0; HTTP/1.1 requires one) names nothing and is refused too.
 */
import { isIP } from 'node:net';
import { HpsearchError } from '../errors.js';

/** Whether a request's Host header may be answered: undefined when it may, else the 403 reason. */
export type HostCheck = (host: string | undefined) => string | undefined;

export interface HostRules {
  /** The address the server listens on, as the socket reports it (`127.0.0.1`, `::1`, `0.0.0.0`). */
  bound: string;
  /** The host it was asked to listen on, when that is a name (`localhost`, `box.lan`). */
  requested?: string;
  /** More names to answer (`--allow-host`), e.g. the name a tunnel or a hosts-file entry gives. */
  allowed?: readonly string[];
}

export function hostCheck(rules: HostRules): HostCheck {
  const anyAddress = rules.bound === '0.0.0.0' || rules.bound === '::';
  const own = new Set<string>(['localhost']);
  if (!anyAddress) own.add(canonical(rules.bound) ?? rules.bound);
  const requested = rules.requested === undefined || anyAddress ? undefined : canonical(rules.requested);
  if (requested !== undefined) own.add(requested);
  const answers = `hpsearch serve answers only ${[...own, ...(anyAddress ? ['IP addresses'] : [])].join(', ')} and names given with --allow-host`;
  const names = new Set([...own, ...(rules.allowed ?? []).map((name) => allowedHostName(name))]);
  return (host) => {
    if (host === undefined || host === '') return `403: the request has no Host header; ${answers}`;
    const name = canonical(withoutPort(host) ?? '');
    if (name !== undefined && (names.has(name) || (anyAddress && isIP(name.replace(/^\[|\]$/g, '')) !== 0))) return undefined;
    return `403: Host ${JSON.stringify(host)} is not allowed; ${answers}`;
  };
}

/**
 * A name for `allowedHosts` / `--allow-host` in the form Host headers are compared in (lowercase,
 * IPv6 in brackets); throws E_USAGE, naming the option (`what`), for anything that is not a bare
 * host name or address.
 */
export function allowedHostName(value: string, what = 'an allowed host'): string {
  const name = canonical(value);
  if (name === undefined) {
    throw new HpsearchError(
      'E_USAGE',
      `${what} must be a host name or IP address without scheme, port or path (e.g. box.lan, 192.168.1.5 or ::1), got ${JSON.stringify(value)}`,
    );
  }
  return name;
}

/** The host of a Host header value (`name`, `name:port`, `[v6]`, `[v6]:port`), undefined when it is malformed. */
function withoutPort(host: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host);
  return match?.[1];
}

/**
 * The WHATWG URL form of a bare host: lowercase, IPv4 and IPv6 written one way (`[::1]` for
 * `[0:0:0:0:0:0:0:1]`). Undefined for anything else: characters such as `@` or `/` would make
 * the URL parser read another host out of it (`evil.example@127.0.0.1`).
 */
function canonical(host: string): string | undefined {
  const bare = isIP(host) === 6 ? `[${host}]` : host;
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$/.test(bare)) return undefined;
  try {
    return new URL(`http://${bare}/`).hostname;
  } catch {
    return undefined;
  }
}
