/**
 * `check()`: what a user may hand in as a URL, decided before anything is stored, with DNS
 * injected (nothing here touches the network). Fetching is tested against local servers
 * in test/web/.
 */
import { describe, expect, it } from 'vitest';
import { parseRetryAfter, safeWebFetcher, type Resolve } from './safe-web-fetcher.js';

/** A resolver over a fixed table; unknown names do not resolve. */
const table =
  (entries: Record<string, string[]>): Resolve =>
  async (hostname) => {
    const addresses = entries[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const DNS = table({
  'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'localhost': ['127.0.0.1', '::1'],
  'loopback.example': ['127.0.0.1'],
  'intranet.example': ['10.0.0.5'],
  'metadata.example': ['169.254.169.254'],
  'metadata.google.internal': ['169.254.169.254'],
  'ula.example': ['fd00::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'nat64.example': ['64:ff9b::a9fe:a9fe'],
  'cgnat.example': ['100.64.1.1'],
  // One bad address among good ones refuses the name: the connection could land on any.
  'mixed.example': ['93.184.216.34', '10.0.0.5'],
  'mixed6.example': ['93.184.216.34', 'fe80::1'],
  'empty.example': [],
});

describe('check', () => {
  const fetcher = safeWebFetcher({ resolve: DNS });

  it.each([
    // not http(s)
    ['file:///etc/passwd', 'scheme'],
    ['gopher://public.example:70/_GET', 'scheme'],
    ['ftp://public.example/file', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['data:text/html,hi', 'scheme'],
    ['dict://public.example:11211/stat', 'scheme'],
    ['ws://public.example/', 'scheme'],
    ['not a url', 'scheme'],
    ['/relative/path', 'scheme'],
    // credentials
    ['http://user:secret@public.example/', 'scheme'],
    ['https://user@public.example/', 'scheme'],
    // literal addresses, including the forms WHATWG URL normalises
    ['http://127.0.0.1/', 'address'],
    ['http://127.1/', 'address'],
    ['http://2130706433/', 'address'], // decimal 127.0.0.1
    ['http://0x7f000001/', 'address'], // hex
    ['http://0x7f.0.0.1/', 'address'],
    ['http://0177.0.0.1/', 'address'], // octal
    ['http://017700000001/', 'address'],
    ['http://0/', 'address'], // 0.0.0.0
    ['http://0.0.0.0:8080/', 'address'],
    ['http://169.254.169.254/latest/meta-data/', 'address'],
    ['http://0xa9fea9fe/', 'address'], // 169.254.169.254 in hex
    ['http://2852039166/', 'address'], // 169.254.169.254 in decimal
    ['http://10.0.0.1/', 'address'],
    ['http://192.168.0.1:8080/admin', 'address'],
    ['http://100.100.100.200/', 'address'],
    ['http://[::1]/', 'address'],
    ['http://[::]/', 'address'],
    ['http://[fd00::]/', 'address'],
    ['http://[fe80::1]/', 'address'],
    ['http://[::ffff:127.0.0.1]/', 'address'],
    ['http://[::ffff:7f00:1]/', 'address'],
    ['http://[::ffff:169.254.169.254]/', 'address'],
    ['http://[::127.0.0.1]/', 'address'],
    ['http://[64:ff9b::127.0.0.1]/', 'address'],
    ['http://[2002:7f00:1::1]/', 'address'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'address'],
    ['http://[fd00:ec2::254]/', 'address'],
    // names that resolve to them
    ['http://localhost:3000/', 'address'],
    ['http://LOCALHOST./', 'address'],
    ['http://loopback.example/', 'address'],
    ['http://intranet.example/wiki', 'address'],
    ['http://metadata.example/', 'address'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'address'],
    ['http://ula.example/', 'address'],
    ['http://mapped.example/', 'address'],
    ['http://nat64.example/', 'address'],
    ['http://cgnat.example/', 'address'],
    ['http://mixed.example/', 'address'],
    ['http://mixed6.example/', 'address'],
    // names that do not resolve
    ['http://nowhere.example/', 'dns'],
    ['http://empty.example/', 'dns'],
  ])('refuses %s (%s)', async (url, reason) => {
    const result = await fetcher.check(url);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it.each([
    ['https://public.example/page', 'https://public.example/page'],
    ['HTTP://Public.Example:80/a/../b?q=1#frag', 'http://public.example/b?q=1'],
    ['http://93.184.216.34/', 'http://93.184.216.34/'],
    ['http://1572395042/', 'http://93.184.216.34/'], // decimal public address
    ['http://[2606:4700:4700::1111]/', 'http://[2606:4700:4700::1111]/'],
  ])('allows %s as %s', async (url, normalised) => {
    expect(await fetcher.check(url)).toEqual({ ok: true, url: normalised });
  });

  it('says why, in words an editor can act on', async () => {
    expect(await fetcher.check('http://intranet.example/')).toEqual({
      ok: false,
      reason: 'address',
      message:
        'intranet.example resolves to 10.0.0.5, a private address, not a public one; an administrator can open intranet hosts with ATRIUM_CRAWLER_ALLOW_HOSTS',
    });
    expect(await fetcher.check('http://169.254.169.254/')).toEqual({ ok: false, reason: 'address', message: '169.254.169.254 is a cloud metadata address' });
    expect(await fetcher.check('file:///etc/passwd')).toMatchObject({ message: 'Only http and https URLs are fetched, not file:' });
  });

  it('opens exactly what ATRIUM_CRAWLER_ALLOW_HOSTS names', async () => {
    const open = safeWebFetcher({ resolve: DNS, allowHosts: 'intranet.example,127.0.0.1' });
    expect(await open.check('http://intranet.example/wiki')).toMatchObject({ ok: true });
    expect(await open.check('http://127.0.0.1:8080/')).toMatchObject({ ok: true });
    expect(await open.check('http://loopback.example/')).toMatchObject({ ok: true }); // its address is listed
    expect(await open.check('http://localhost/')).toMatchObject({ ok: false, reason: 'address' }); // ::1 is not
    expect(await open.check('http://127.0.0.2/')).toMatchObject({ ok: false, reason: 'address' });
    expect(await open.check('http://10.0.0.5/')).toMatchObject({ ok: false, reason: 'address' }); // the host, not its address
    expect(await open.check('http://metadata.example/')).toMatchObject({ ok: false, reason: 'address' });
  });

  it('gives up on a resolver that hangs', async () => {
    const slow = safeWebFetcher({ resolve: () => new Promise(() => {}), dnsTimeoutMs: 50 });
    expect(await slow.check('http://slow.example/')).toMatchObject({ ok: false, reason: 'dns' });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
