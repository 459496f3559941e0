import { describe, expect, it } from 'vitest';
import { json, mockFetch } from '../../test/mock-fetch.js';
import { Atrium } from '../client.js';
import { AtriumError } from './errors.js';

const space = (id: string) => ({ id, name: id, description: null, createdAt: 'x', updatedAt: 'x' });

const pages = () =>
  mockFetch(json({ data: [space('a'), space('b')], nextCursor: 'c2' }), json({ data: [space('c')], nextCursor: 'c3' }), json({ data: [], nextCursor: null }));

describe('pagination', () => {
  it('awaited, a list is its first page', async () => {
    const { fetch, requests } = pages();
    const page = await new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch }).spaces.list({ limit: 2 });
    expect(page.data.map((s) => s.id)).toEqual(['a', 'b']);
    expect(page.nextCursor).toBe('c2');
    expect(page.hasNextPage()).toBe(true);
    const next = await page.getNextPage();
    expect(next.data.map((s) => s.id)).toEqual(['c']);
    expect(requests.map((r) => r.url)).toEqual(['http://x/api/v1/spaces?limit=2', 'http://x/api/v1/spaces?limit=2&cursor=c2']);
  });

  it('iterated, a list walks every page', async () => {
    const { fetch, requests } = pages();
    const ids: string[] = [];
    for await (const s of new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch }).spaces.list()) ids.push(s.id);
    expect(ids).toEqual(['a', 'b', 'c']);
    expect(requests.map((r) => new URL(r.url).searchParams.get('cursor'))).toEqual([null, 'c2', 'c3']);
  });

  it('a page is iterable too, from itself onwards; the last page has no next', async () => {
    const { fetch } = pages();
    const atrium = new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch });
    const ids: string[] = [];
    const first = await atrium.spaces.list();
    for await (const s of first) ids.push(s.id);
    expect(ids).toEqual(['a', 'b', 'c']);
  });

  it('getNextPage() on the last page throws', async () => {
    const { fetch } = mockFetch(json({ data: [], nextCursor: null }));
    const page = await new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch }).spaces.list();
    expect(page.hasNextPage()).toBe(false);
    await expect(page.getNextPage()).rejects.toBeInstanceOf(AtriumError);
  });

  it('sends no request until awaited or iterated, and one for both', async () => {
    const { fetch, requests } = mockFetch(json({ data: [space('a')], nextCursor: null }));
    const list = new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch }).spaces.list();
    expect(requests).toHaveLength(0);
    await list;
    for await (const _ of list) void _;
    expect(requests).toHaveLength(1);
  });
});
