import { afterEach, describe, expect, it, vi } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { json, mockFetch } from '../test/mock-fetch.js';
import { Atrium, AtriumError, VERSION } from './index.js';

afterEach(() => vi.unstubAllEnvs());

describe('Atrium', () => {
  it('VERSION matches package.json', () => {
    expect(VERSION).toBe(pkg.version);
    expect(Atrium.VERSION).toBe(pkg.version);
  });

  it('needs credentials', () => {
    vi.stubEnv('ATRIUM_API_KEY', '');
    expect(() => new Atrium({ baseURL: 'http://x' })).toThrow(AtriumError);
  });

  it('reads ATRIUM_API_KEY and ATRIUM_BASE_URL when not given', async () => {
    vi.stubEnv('ATRIUM_API_KEY', 'atr_sk_env');
    vi.stubEnv('ATRIUM_BASE_URL', 'http://env.test');
    const { fetch, requests } = mockFetch(json({ user: {}, tenant: {} }));
    const atrium = new Atrium({ fetch });
    await atrium.me();
    expect(atrium.baseURL).toBe('http://env.test');
    expect(requests[0]!.url).toBe('http://env.test/api/v1/me');
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer atr_sk_env');
  });

  it('treats an environment it may not read as unset', () => {
    const denied = new Proxy({}, { get: () => { throw new Error('Requires env access'); } });
    vi.stubGlobal('process', { env: denied });
    try {
      expect(() => new Atrium({ baseURL: 'http://x' })).toThrow(AtriumError);
      expect(new Atrium({ apiKey: 'k' }).baseURL).toBe('http://localhost:3000');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('has the documented defaults', () => {
    const atrium = new Atrium({ apiKey: 'k', baseURL: 'http://x' });
    expect(atrium.maxRetries).toBe(2);
    expect(atrium.timeout).toBe(60_000);
  });

  it('calls fetch as a plain function, as browsers require', async () => {
    const calls: unknown[] = [];
    const strictFetch = function (this: unknown) {
      calls.push(this);
      return Promise.resolve(json({}));
    } as unknown as typeof fetch;
    await new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch: strictFetch }).me();
    expect(calls).toEqual([undefined]);
  });
});
