/**
 * The safe web fetcher against real HTTP servers on loopback addresses (opened with the
 * allow-list, as ATRIUM_CRAWLER_ALLOW_HOSTS would) and DNS injected per test: redirects
 * re-checked at every hop, addresses that are refused never contacted, DNS rebinding
 * impossible, robots.txt, politeness, backoff, timeouts, size caps and conditional requests.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { safeWebFetcher, type Resolve, type SafeWebFetcher, type SafeWebFetcherOptions } from '../../src/adapters/web/index.js';
import { startLocalSite, type LocalPages, type LocalSite, type LocalSiteHandler } from '../../src/test/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const site = async (pages: LocalPages | LocalSiteHandler, host = '127.0.0.1', port?: number): Promise<LocalSite> => {
  const s = await startLocalSite(pages, { host, ...(port !== undefined && { port }) });
  cleanup.push(() => s.close());
  return s;
};

const fetcherWith = (options: SafeWebFetcherOptions = {}): SafeWebFetcher => {
  const f = safeWebFetcher({ allowHosts: '127.0.0.1', perHostDelayMs: 0, ...options });
  cleanup.push(() => f.close());
  return f;
};

const names =
  (entries: Record<string, string[]>, calls: string[] = []): Resolve =>
  async (hostname) => {
    calls.push(hostname);
    const addresses = entries[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fetching a page', () => {
  it('answers the bytes, the type and the validators, with a polite user agent', async () => {
    const a = await site({
      '/page': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Mon, 07 Dec 2026 10:00:00 GMT' });
        res.end('<title>Hello</title><p>World</p>');
      },
    });
    const fetcher = fetcherWith({ userAgent: 'AtriumBot/9.9 (+https://atrium.test/bot)' });
    const result = await fetcher.fetch({ url: `${a.origin}/page#section`, accept: ['text/html'] });
    expect(result).toMatchObject({
      kind: 'ok',
      url: `${a.origin}/page`,
      status: 200,
      contentType: 'text/html',
      etag: '"v1"',
      lastModified: 'Mon, 07 Dec 2026 10:00:00 GMT',
    });
    if (result.kind === 'ok') expect(text(result.bytes)).toContain('World');
    const page = a.requests.find((r) => r.path === '/page')!;
    expect(page.headers['user-agent']).toBe('AtriumBot/9.9 (+https://atrium.test/bot)');
    expect(page.headers.accept).toContain('text/html');
    expect(a.hits('/robots.txt')).toBe(1); // asked first, 404: everything allowed
  });

  it('fails HTTP errors, unsupported types and unreachable hosts with a reason', async () => {
    const a = await site({
      '/doc.pdf': (_req, res) => void res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4'),
      '/broken': (_req, res) => void res.writeHead(500).end('oops'),
    });
    const fetcher = fetcherWith();
    expect(await fetcher.fetch({ url: `${a.origin}/missing` })).toMatchObject({ kind: 'failed', code: 'http_error', status: 404 });
    expect(await fetcher.fetch({ url: `${a.origin}/broken` })).toMatchObject({ kind: 'failed', code: 'http_error', status: 500 });
    expect(await fetcher.fetch({ url: `${a.origin}/doc.pdf`, accept: ['text/html', 'text/*'] })).toMatchObject({
      kind: 'failed',
      code: 'unsupported_type',
      message: expect.stringContaining('application/pdf'),
    });
    expect(await fetcher.fetch({ url: `${a.origin}/doc.pdf`, accept: ['application/pdf'] })).toMatchObject({ kind: 'ok', contentType: 'application/pdf' });
    // A port nobody listens on.
    const closed = await site({});
    const port = closed.port;
    await closed.close();
    expect(await fetcherWith({ robots: false }).fetch({ url: `http://127.0.0.1:${port}/` })).toMatchObject({ kind: 'failed', code: 'network' });
  });

  it('throws only when the caller aborts', async () => {
    const a = await site({ '/slow': async (_req, res) => void (await sleep(2_000), res.end('late')) });
    const controller = new AbortController();
    const pending = fetcherWith().fetch({ url: `${a.origin}/slow`, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller left')), 100);
    await expect(pending).rejects.toThrow('caller left');
  });
});

describe('SSRF', () => {
  it('never contacts a loopback site without the allow-list', async () => {
    const a = await site({ '/': 'hello' });
    const fetcher = fetcherWith({ allowHosts: [] });
    expect(await fetcher.fetch({ url: `${a.origin}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `http://localhost:${a.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `http://[::ffff:127.0.0.1]:${a.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `http://2130706433:${a.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `file:///etc/passwd` })).toMatchObject({ kind: 'refused', reason: 'scheme' });
    expect(await fetcher.fetch({ url: `gopher://127.0.0.1:${a.port}/_x` })).toMatchObject({ kind: 'refused', reason: 'scheme' });
    expect(a.connections).toBe(0);
  });

  it('never contacts 0.0.0.0 (which reaches local services on Linux), nor a name that resolves to it', async () => {
    const any = await site({ '/': 'hello' }, '0.0.0.0');
    const outside = await site({ '/to-zero': (_req, res) => void res.writeHead(302, { location: `http://zero.test:${any.port}/` }).end() });
    const fetcher = fetcherWith({ resolve: names({ 'zero.test': ['0.0.0.0'] }) });
    expect(await fetcher.fetch({ url: `http://0.0.0.0:${any.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `http://zero.test:${any.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await fetcher.fetch({ url: `${outside.origin}/to-zero` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(any.connections).toBe(0);
  });

  it('refuses names that resolve to private, metadata or unique-local addresses, if any one of their addresses is', async () => {
    const calls: string[] = [];
    const fetcher = fetcherWith({
      allowHosts: [],
      resolve: names(
        {
          'private.test': ['10.0.0.7'],
          'metadata.test': ['169.254.169.254'],
          'ula.test': ['fd00::1'],
          'cgnat.test': ['100.64.0.1'],
          'mixed.test': ['93.184.216.34', '192.168.1.1'],
        },
        calls,
      ),
    });
    for (const host of ['private.test', 'metadata.test', 'ula.test', 'cgnat.test', 'mixed.test']) {
      // A connection attempt would end as a network failure or a timeout, not as a refusal.
      expect(await fetcher.fetch({ url: `http://${host}/` }), host).toMatchObject({ kind: 'refused', reason: 'address' });
    }
    expect(calls).toEqual(['private.test', 'metadata.test', 'ula.test', 'cgnat.test', 'mixed.test']);
  });

  it('refuses a redirect to a private address at the hop, without contacting it', async () => {
    const inside = await site({ '/secret': 'the keys' }, '127.0.0.2');
    const outside = await site({
      '/to-ip': (_req, res) => void res.writeHead(302, { location: `${inside.origin}/secret` }).end(),
      '/to-name': (_req, res) => void res.writeHead(301, { location: `http://internal.test:${inside.port}/secret` }).end(),
      '/to-mapped': (_req, res) => void res.writeHead(307, { location: `http://[::ffff:127.0.0.2]:${inside.port}/secret` }).end(),
      '/to-metadata': (_req, res) => void res.writeHead(308, { location: 'http://169.254.169.254/latest/meta-data/' }).end(),
      '/to-file': (_req, res) => void res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
      '/to-gopher': (_req, res) => void res.writeHead(302, { location: `gopher://127.0.0.2:${inside.port}/_x` }).end(),
    });
    // The outside site stands for the public web: its address is opened, the inside one is not.
    const fetcher = fetcherWith({ resolve: names({ 'internal.test': ['127.0.0.2'] }) });
    for (const [path, reason] of [
      ['/to-ip', 'address'],
      ['/to-name', 'address'],
      ['/to-mapped', 'address'],
      ['/to-metadata', 'address'],
      ['/to-file', 'scheme'],
      ['/to-gopher', 'scheme'],
    ] as const) {
      const result = await fetcher.fetch({ url: `${outside.origin}${path}` });
      expect(result, path).toMatchObject({ kind: 'refused', reason });
    }
    expect(inside.connections).toBe(0);
    expect(outside.hits('/to-ip')).toBe(1);
  });

  it('follows redirects by hand up to the hop limit, and never in a loop', async () => {
    const a = await site({
      '/start': (_req, res) => void res.writeHead(301, { location: '/middle#x' }).end(),
      '/middle': (_req, res) => void res.writeHead(302, { location: `/end` }).end(),
      '/end': 'arrived',
      '/loop-a': (_req, res) => void res.writeHead(302, { location: '/loop-b' }).end(),
      '/loop-b': (_req, res) => void res.writeHead(302, { location: '/loop-a' }).end(),
      '/chain/0': (_req, res) => void res.writeHead(302, { location: '/chain/1' }).end(),
      '/chain/1': (_req, res) => void res.writeHead(302, { location: '/chain/2' }).end(),
      '/chain/2': (_req, res) => void res.writeHead(302, { location: '/chain/3' }).end(),
      '/chain/3': (_req, res) => void res.writeHead(302, { location: '/chain/4' }).end(),
      '/chain/4': (_req, res) => void res.writeHead(302, { location: '/chain/5' }).end(),
      '/chain/5': (_req, res) => void res.writeHead(302, { location: '/chain/6' }).end(),
      '/chain/6': 'too far',
      '/no-location': (_req, res) => void res.writeHead(302).end(),
    });
    const fetcher = fetcherWith({ maxRedirects: 5 });
    expect(await fetcher.fetch({ url: `${a.origin}/start` })).toMatchObject({ kind: 'ok', url: `${a.origin}/end` });
    expect(await fetcher.fetch({ url: `${a.origin}/loop-a` })).toMatchObject({ kind: 'refused', reason: 'redirects', message: expect.stringContaining('loop') });
    expect(await fetcher.fetch({ url: `${a.origin}/chain/1` })).toMatchObject({ kind: 'ok' }); // 5 redirects
    expect(await fetcher.fetch({ url: `${a.origin}/chain/0` })).toMatchObject({ kind: 'refused', reason: 'redirects' }); // 6
    expect(a.hits('/chain/6')).toBe(1);
    expect(await fetcher.fetch({ url: `${a.origin}/no-location` })).toMatchObject({ kind: 'failed', code: 'http_error', status: 302 });
  });

  it('connects to the address it checked: a rebinding name cannot switch to a private one', async () => {
    const checked = await site({ '/': 'public content' }, '127.0.0.1');
    // The same port on another loopback address: where a second lookup would lead.
    const rebound = await site({ '/': 'private content' }, '127.0.0.2', checked.port).catch(() => null);
    const calls: string[] = [];
    // Answers the opened address once, then the private one.
    const resolve: Resolve = async (hostname) => {
      calls.push(hostname);
      return [{ address: calls.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    };
    const fetcher = fetcherWith({ resolve, robots: false });
    const first = await fetcher.fetch({ url: `http://rebind.test:${checked.port}/` });
    expect(first).toMatchObject({ kind: 'ok' });
    if (first.kind === 'ok') expect(text(first.bytes)).toBe('public content');
    expect(calls).toEqual(['rebind.test']); // one lookup: the one that was checked
    expect(checked.requests.map((r) => r.localAddress)).toEqual(['127.0.0.1']);
    // The next fetch looks again, sees the private address, and refuses before connecting.
    expect(await fetcher.fetch({ url: `http://rebind.test:${checked.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    if (rebound) expect(rebound.connections).toBe(0);
  });

  it('opens exactly the host or CIDR the allow-list names', async () => {
    const one = await site({ '/': 'one' }, '127.0.0.1');
    const two = await site({ '/': 'two' }, '127.0.0.2');
    const dns = names({ 'intranet.test': ['127.0.0.2'], 'other.test': ['127.0.0.2'] });

    const byAddress = fetcherWith({ allowHosts: '127.0.0.2', resolve: dns });
    expect(await byAddress.fetch({ url: `${two.origin}/` })).toMatchObject({ kind: 'ok' });
    expect(await byAddress.fetch({ url: `${one.origin}/` })).toMatchObject({ kind: 'refused', reason: 'address' });

    const byCidr = fetcherWith({ allowHosts: '127.0.0.0/31', resolve: dns });
    expect(await byCidr.fetch({ url: `${one.origin}/` })).toMatchObject({ kind: 'ok' });
    expect(await byCidr.fetch({ url: `${two.origin}/` })).toMatchObject({ kind: 'refused', reason: 'address' });

    const byName = fetcherWith({ allowHosts: 'intranet.test', resolve: dns });
    expect(await byName.fetch({ url: `http://intranet.test:${two.port}/` })).toMatchObject({ kind: 'ok' });
    expect(await byName.fetch({ url: `http://other.test:${two.port}/` })).toMatchObject({ kind: 'refused', reason: 'address' });
    expect(await byName.fetch({ url: `${two.origin}/` })).toMatchObject({ kind: 'refused', reason: 'address' });

    expect(one.requests.filter((r) => r.path === '/')).toHaveLength(1);
    expect(two.requests.filter((r) => r.path === '/')).toHaveLength(2);
  });
});

describe('limits', () => {
  it('stops reading past the size cap, while the body streams', async () => {
    let endlessClosed = false;
    const a = await site({
      '/declared': (_req, res) => void res.writeHead(200, { 'content-length': String(3 * 1024 * 1024) }).end(Buffer.alloc(3 * 1024 * 1024, 97)),
      // No length, and it never ends: only a cap enforced while reading stops it.
      '/endless': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 98);
        const timer = setInterval(() => res.write(chunk), 1);
        req.socket.on('close', () => {
          clearInterval(timer);
          endlessClosed = true;
        });
      },
      // 50 MB of zeros in about 50 KB of gzip.
      '/bomb': (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(50 * 1024 * 1024))),
      '/small': (_req, res) => void res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(1024 * 1024, 99)),
    });
    const fetcher = fetcherWith({ maxBytes: 1024 * 1024 });
    expect(await fetcher.fetch({ url: `${a.origin}/declared` })).toMatchObject({ kind: 'failed', code: 'too_large' });
    expect(await fetcher.fetch({ url: `${a.origin}/endless` })).toMatchObject({ kind: 'failed', code: 'too_large' });
    expect(await fetcher.fetch({ url: `${a.origin}/bomb` })).toMatchObject({ kind: 'failed', code: 'too_large' });
    const small = await fetcher.fetch({ url: `${a.origin}/small` });
    expect(small.kind === 'ok' && small.bytes.byteLength).toBe(1024 * 1024);
    await fetcher.close();
    for (let i = 0; i < 50 && !endlessClosed; i++) await sleep(20);
    expect(endlessClosed).toBe(true);
  });

  it('gives up on a slow site at the deadline', async () => {
    const a = await site({
      '/no-headers': async (_req, res) => void (await sleep(3_000), res.end('late')),
      '/trickle': async (req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let stop = false;
        req.socket.on('close', () => (stop = true));
        while (!stop) {
          res.write('.');
          await sleep(50);
        }
      },
    });
    const fetcher = fetcherWith({ timeoutMs: 300 });
    const started = Date.now();
    expect(await fetcher.fetch({ url: `${a.origin}/no-headers` })).toMatchObject({ kind: 'failed', code: 'timeout' });
    expect(await fetcher.fetch({ url: `${a.origin}/trickle` })).toMatchObject({ kind: 'failed', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('sends conditional requests and reports 304 as not modified', async () => {
    const a = await site({
      '/page': (req, res) => {
        if (req.headers['if-none-match'] === '"v1"' || req.headers['if-modified-since'] === 'Mon, 07 Dec 2026 10:00:00 GMT')
          return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'text/html', etag: '"v1"', 'last-modified': 'Mon, 07 Dec 2026 10:00:00 GMT' }).end('<p>v1</p>');
      },
    });
    const fetcher = fetcherWith();
    const first = await fetcher.fetch({ url: `${a.origin}/page` });
    expect(first).toMatchObject({ kind: 'ok', etag: '"v1"' });
    expect(await fetcher.fetch({ url: `${a.origin}/page`, etag: '"v1"' })).toEqual({ kind: 'not_modified', url: `${a.origin}/page` });
    expect(await fetcher.fetch({ url: `${a.origin}/page`, lastModified: 'Mon, 07 Dec 2026 10:00:00 GMT' })).toMatchObject({ kind: 'not_modified' });
    expect(await fetcher.fetch({ url: `${a.origin}/page`, etag: '"v0"' })).toMatchObject({ kind: 'ok' });
    expect(a.requests.filter((r) => r.path === '/page').map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"', undefined, '"v0"']);
  });
});

describe('robots.txt', () => {
  const robots = (body: string, status = 200): LocalSiteHandler => (_req, res) => void res.writeHead(status, { 'content-type': 'text/plain' }).end(body);

  it('obeys Disallow for our user agent, without requesting the page, and reads the file once', async () => {
    const a = await site({
      '/robots.txt': robots('User-agent: *\nDisallow: /everyone-else\n\nUser-agent: AtriumBot\nDisallow: /private\nAllow: /private/ok\n'),
      '/public': 'public',
      '/private/page': 'private',
      '/private/ok': 'ok',
      '/everyone-else': 'fine for us',
    });
    const fetcher = fetcherWith({ userAgent: 'AtriumBot/1.0 (+https://atrium.test)' });
    expect(await fetcher.fetch({ url: `${a.origin}/public` })).toMatchObject({ kind: 'ok' });
    expect(await fetcher.fetch({ url: `${a.origin}/private/page` })).toMatchObject({
      kind: 'refused',
      reason: 'robots',
      message: expect.stringContaining('disallows /private/page for AtriumBot'),
    });
    expect(await fetcher.fetch({ url: `${a.origin}/private/ok` })).toMatchObject({ kind: 'ok' });
    expect(await fetcher.fetch({ url: `${a.origin}/everyone-else` })).toMatchObject({ kind: 'ok' });
    expect(a.hits('/private/page')).toBe(0);
    expect(a.hits('/robots.txt')).toBe(1);
  });

  it('allows everything on a 4xx and nothing on a 5xx or an unreachable robots.txt', async () => {
    const missing = await site({ '/robots.txt': robots('gone', 410), '/': 'ok' });
    const failing = await site({ '/robots.txt': robots('down', 500), '/': 'never' }, '127.0.0.2');
    const fetcher = fetcherWith({ allowHosts: '127.0.0.0/30' });
    expect(await fetcher.fetch({ url: `${missing.origin}/` })).toMatchObject({ kind: 'ok' });
    expect(await fetcher.fetch({ url: `${failing.origin}/` })).toMatchObject({ kind: 'refused', reason: 'robots_unreachable', message: expect.stringContaining('could not be read') });
    expect(failing.hits('/')).toBe(0);
  });

  it('honours crawl-delay between requests to the host', async () => {
    const a = await site({ '/robots.txt': robots('User-agent: *\nCrawl-delay: 0.4\n'), '/1': 'one', '/2': 'two', '/3': 'three' });
    const fetcher = fetcherWith();
    await Promise.all(['/1', '/2', '/3'].map((p) => fetcher.fetch({ url: `${a.origin}${p}` })));
    const starts = a.requests.filter((r) => r.path !== '/robots.txt').map((r) => r.at);
    expect(starts).toHaveLength(3);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(380);
  });
});

describe('politeness', () => {
  it('keeps at most the per-host concurrency in flight, and spaces request starts', async () => {
    let inFlight = 0;
    let most = 0;
    const a = await site(async (req, res) => {
      if (req.url === '/robots.txt') return void res.writeHead(404).end();
      inFlight++;
      most = Math.max(most, inFlight);
      await sleep(150);
      inFlight--;
      res.end('ok');
    });
    const fetcher = fetcherWith({ perHostConcurrency: 2, perHostDelayMs: 0 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => fetcher.fetch({ url: `${a.origin}/p${i}` })));
    expect(most).toBe(2);

    const spaced = fetcherWith({ perHostConcurrency: 4, perHostDelayMs: 200 });
    const before = a.requests.length;
    await Promise.all(Array.from({ length: 3 }, (_, i) => spaced.fetch({ url: `${a.origin}/q${i}` })));
    const starts = a.requests.slice(before).filter((r) => r.path !== '/robots.txt').map((r) => r.at);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(190);
  });

  it('backs off on 429 and 503 after Retry-After, a bounded number of times', async () => {
    let calls = 0;
    const a = await site({
      '/busy-once': (_req, res) => {
        calls++;
        if (calls === 1) return void res.writeHead(429, { 'retry-after': '1' }).end();
        res.end('finally');
      },
      '/always-503': (_req, res) => void res.writeHead(503).end(),
      '/come-back-tomorrow': (_req, res) => void res.writeHead(429, { 'retry-after': '86400' }).end(),
    });
    const fetcher = fetcherWith({ maxRetries: 2, retryBaseMs: 20 });
    const started = Date.now();
    expect(await fetcher.fetch({ url: `${a.origin}/busy-once` })).toMatchObject({ kind: 'ok' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const busy = a.requests.filter((r) => r.path === '/busy-once');
    expect(busy[1]!.at - busy[0]!.at).toBeGreaterThanOrEqual(950);

    expect(await fetcher.fetch({ url: `${a.origin}/always-503` })).toMatchObject({ kind: 'failed', code: 'http_error', status: 503 });
    expect(a.hits('/always-503')).toBe(3); // the first try and two retries

    expect(await fetcher.fetch({ url: `${a.origin}/come-back-tomorrow` })).toMatchObject({
      kind: 'failed',
      code: 'http_error',
      status: 429,
      retryAfterMs: expect.any(Number),
      message: expect.stringContaining('asked not to be contacted for 24 h'),
    });
    expect(a.hits('/come-back-tomorrow')).toBe(1);
  });

  it('leaves a host alone for as long as it asked, when that is longer than it waits', async () => {
    const a = await site({
      '/closed': (_req, res) => void res.writeHead(503, { 'retry-after': '3600' }).end(),
      '/other': (_req, res) => void res.end('open'),
    });
    const fetcher = fetcherWith({ maxRetries: 2, retryBaseMs: 20 });
    const first = await fetcher.fetch({ url: `${a.origin}/closed` });
    expect(first).toMatchObject({ kind: 'failed', status: 503, message: expect.stringContaining('asked not to be contacted for 60 min') });
    // Every other page of the host fails at once, uncontacted, with the time left.
    const second = await fetcher.fetch({ url: `${a.origin}/other` });
    expect(second).toMatchObject({ kind: 'failed', status: 503, retryAfterMs: expect.any(Number) });
    if (second.kind === 'failed') expect(second.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(a.hits('/closed')).toBe(1);
    expect(a.hits('/other')).toBe(0);
  });
});
