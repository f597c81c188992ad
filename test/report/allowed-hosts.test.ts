import { describe, expect, it } from 'vitest';
import { HpsearchError } from '../../src/errors.js';
import { allowedHostName, hostCheck } from '../../src/report/allowed-hosts.js';

const LOOPBACK_REASON = 'hpsearch serve answers only localhost, 127.0.0.1 and names given with --allow-host';

describe('which Host headers the report server answers', () => {
  const loopback = hostCheck({ bound: '127.0.0.1', requested: '127.0.0.1', allowed: ['hpsearch.test'] });

  it('answers the bound address, localhost and the allowed names, with or without a port', () => {
    for (const host of ['127.0.0.1', '127.0.0.1:8421', 'localhost', 'localhost:8421', 'LocalHost:1', 'hpsearch.test', 'HPSEARCH.test:9000']) {
      expect(loopback(host), host).toBeUndefined();
    }
  });

  it('refuses every other name, saying which it got and which it answers', () => {
    expect(loopback('evil.example:8080')).toBe(`403: Host "evil.example:8080" is not allowed; ${LOOPBACK_REASON}`);
    for (const host of ['evil.example', 'localhost.evil.example', 'sub.hpsearch.test', '127.0.0.2:8421', '0.0.0.0', '[::1]:8421']) {
      expect(loopback(host), host).toMatch(/^403: Host ".*" is not allowed; /);
    }
  });

  it('refuses a request without a Host header', () => {
    expect(loopback(undefined)).toBe(`403: the request has no Host header; ${LOOPBACK_REASON}`);
    expect(loopback('')).toBe(`403: the request has no Host header; ${LOOPBACK_REASON}`);
  });

  it('refuses malformed values rather than reading a host out of them', () => {
    for (const host of ['evil.example@127.0.0.1', '127.0.0.1/x', 'localhost:80:80', 'localhost:port', '[::1', 'local host', '127.0.0.1:123456']) {
      expect(loopback(host), host).toMatch(/^403: /);
    }
  });

  it('compares addresses in one form: other spellings of the bound IPv6 address are it', () => {
    const v6 = hostCheck({ bound: '::1' });
    for (const host of ['[::1]', '[::1]:8421', '[0:0:0:0:0:0:0:1]:8421', 'localhost:8421']) expect(v6(host), host).toBeUndefined();
    expect(v6('127.0.0.1:8421')).toBe('403: Host "127.0.0.1:8421" is not allowed; hpsearch serve answers only localhost, [::1] and names given with --allow-host');
  });

  it('answers the name it was asked to listen on', () => {
    const named = hostCheck({ bound: '127.0.0.1', requested: 'box.lan' });
    expect(named('box.lan:8421')).toBeUndefined();
    expect(named('evil.example')).toMatch(/answers only localhost, 127\.0\.0\.1, box\.lan and names given with --allow-host$/);
  });

  it('bound to every address, answers any IP address (which cannot be rebound) but still no foreign name', () => {
    for (const bound of ['0.0.0.0', '::']) {
      const any = hostCheck({ bound, requested: bound, allowed: ['box.lan'] });
      for (const host of ['192.168.1.5:8421', '10.0.0.1', '[fe80::1]:8421', 'localhost', 'box.lan:8421']) expect(any(host), `${bound} ${host}`).toBeUndefined();
      expect(any('evil.example:8421')).toBe(
        '403: Host "evil.example:8421" is not allowed; hpsearch serve answers only localhost, IP addresses and names given with --allow-host',
      );
    }
  });

  it('takes allowed names as bare host names or addresses, and refuses anything else by its option name', () => {
    expect(allowedHostName('Box.LAN')).toBe('box.lan');
    expect(allowedHostName('::1')).toBe('[::1]');
    expect(allowedHostName('[::1]')).toBe('[::1]');
    for (const value of ['http://box.lan', 'box.lan:80', 'box.lan/', '', 'a b']) {
      expect(() => allowedHostName(value, '--allow-host'), value).toThrow(HpsearchError);
      expect(() => allowedHostName(value, '--allow-host'), value).toThrow(
        `--allow-host must be a host name or IP address without scheme, port or path (e.g. box.lan, 192.168.1.5 or ::1), got ${JSON.stringify(value)}`,
      );
    }
  });
});
