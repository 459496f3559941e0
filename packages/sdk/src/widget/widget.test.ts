import { afterEach, describe, expect, it, vi } from 'vitest';
import { event, json, mockFetch, problem, sse } from '../../test/mock-fetch.js';
import { AtriumWidgetClient, AuthenticationError, ChatStream } from './index.js';

const session = (token: string, expiresIn = 3600) => json({ visitorToken: token, expiresIn }, 201);
const answer = () => sse([event('start', { conversationId: 'c1', messageId: 'm1' }), event('delta', { text: 'Hi' }), event('done', { messageId: 'm1', finishReason: 'stop', usage: null })]);
const widget = (fetch: typeof globalThis.fetch, identityToken?: string) =>
  new AtriumWidgetClient({ publicKey: 'atr_pk_1', baseURL: 'https://atrium.test', fetch, identityToken });

afterEach(() => vi.useRealTimers());

describe('AtriumWidgetClient', () => {
  it('reads the config with the public key and no credentials', async () => {
    const { fetch, requests } = mockFetch(json({ name: 'Helper', greeting: 'Hello' }));
    await expect(widget(fetch).config()).resolves.toEqual({ name: 'Helper', greeting: 'Hello' });
    expect(requests[0]!.url).toBe('https://atrium.test/api/v1/widget/config?key=atr_pk_1');
    expect(requests[0]!.headers.get('authorization')).toBeNull();
  });

  it('opens a visitor session, then chats with its token', async () => {
    const { fetch, requests } = mockFetch(session('vt1'), answer());
    const stream = await widget(fetch).chat({ message: 'Hello?' });
    expect(stream).toBeInstanceOf(ChatStream);
    await expect(stream.text()).resolves.toBe('Hi');
    expect(requests.map((r) => r.url)).toEqual(['https://atrium.test/api/v1/widget/sessions', 'https://atrium.test/api/v1/widget/chat']);
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ key: 'atr_pk_1' });
    expect(requests[1]!.headers.get('authorization')).toBe('Bearer vt1');
    expect(JSON.parse(requests[1]!.body as string)).toEqual({ message: 'Hello?' });
  });

  it('sends the identity token for a verified visitor', async () => {
    const { fetch, requests } = mockFetch(session('vt1'), json({ id: 'c1', messages: [] }));
    await widget(fetch, 'host.jwt').conversation('c1');
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ key: 'atr_pk_1', identityToken: 'host.jwt' });
    expect(requests[1]!.url).toBe('https://atrium.test/api/v1/widget/conversations/c1');
  });

  it('reuses the session, and renews it before it expires', async () => {
    vi.useFakeTimers();
    const feedback = () => json({ messageId: 'm1', rating: 'up' });
    const { fetch, requests } = mockFetch(session('vt1', 120), feedback(), feedback(), session('vt2', 120), feedback());
    const client = widget(fetch);
    await client.feedback('m1', { rating: 'up' });
    await client.feedback('m1', { rating: 'up' });
    vi.advanceTimersByTime(91_000); // within 30 s of the 120 s expiry
    await client.feedback('m1', { rating: 'up' });
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/api/v1/widget/sessions',
      '/api/v1/widget/messages/m1/feedback',
      '/api/v1/widget/messages/m1/feedback',
      '/api/v1/widget/sessions',
      '/api/v1/widget/messages/m1/feedback',
    ]);
    expect(requests[4]!.headers.get('authorization')).toBe('Bearer vt2');
  });

  it('renews a short-lived session at half its life', async () => {
    vi.useFakeTimers();
    const { fetch, requests } = mockFetch(session('vt1', 20), json({}), json({}), session('vt2', 20), json({}));
    const client = widget(fetch);
    await client.conversation('c');
    vi.advanceTimersByTime(9_000);
    await client.conversation('c');
    vi.advanceTimersByTime(1_000);
    await client.conversation('c');
    expect(requests.filter((r) => r.url.endsWith('/sessions'))).toHaveLength(2);
    expect(requests[4]!.headers.get('authorization')).toBe('Bearer vt2');
  });

  it('renews the session once when the server refuses the token', async () => {
    const { fetch, requests } = mockFetch(session('vt1'), problem(401), session('vt2'), json({ id: 'c1', messages: [] }));
    await expect(widget(fetch).conversation('c1')).resolves.toEqual({ id: 'c1', messages: [] });
    expect(requests[3]!.headers.get('authorization')).toBe('Bearer vt2');
  });

  it('gives up after one renewal', async () => {
    const { fetch, requests } = mockFetch(session('vt1'), problem(401), session('vt2'), problem(401));
    await expect(widget(fetch).conversation('c1')).rejects.toBeInstanceOf(AuthenticationError);
    expect(requests).toHaveLength(4);
  });

  it('shares one session request between concurrent calls', async () => {
    const { fetch, requests } = mockFetch(session('vt1'), json({ id: 'a' }), json({ id: 'b' }));
    const client = widget(fetch);
    await Promise.all([client.conversation('a'), client.conversation('b')]);
    expect(requests.filter((r) => r.url.endsWith('/sessions'))).toHaveLength(1);
    expect(requests).toHaveLength(3);
  });

  it('renews a kept visitor token first, and reports every new one', async () => {
    const { fetch, requests } = mockFetch(session('vt2'), json({ id: 'c1', messages: [] }));
    const kept: string[] = [];
    const client = new AtriumWidgetClient({ publicKey: 'atr_pk_1', baseURL: 'https://atrium.test', fetch, visitorToken: 'vt1', onVisitorToken: (t) => kept.push(t) });
    await client.conversation('c1');
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ key: 'atr_pk_1', visitorToken: 'vt1' });
    expect(requests[1]!.headers.get('authorization')).toBe('Bearer vt2');
    expect(kept).toEqual(['vt2']);
  });
});
