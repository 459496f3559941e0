import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { json, mockFetch } from '../../test/mock-fetch.js';
import { Atrium } from '../client.js';
import { AtriumError, DocumentFailedError, DocumentWaitTimeoutError } from '../core/errors.js';
import { toFile } from '../core/uploads.js';

const doc = (status: string, error: string | null = null) => ({ id: 'd1', status, error });
const accepted = () => json({ document: doc('queued'), job: null }, 202);
const atriumWith = (fetch: typeof globalThis.fetch) => new Atrium({ apiKey: 'k', baseURL: 'http://x', fetch });

afterEach(() => vi.useRealTimers());

describe('documents.create', () => {
  it('sends text as JSON', async () => {
    const { fetch, requests } = mockFetch(accepted());
    await atriumWith(fetch).documents.create('col1', { title: 'FAQ', text: 'Refunds take 14 days.' });
    expect(requests[0]!.url).toBe('http://x/api/v1/collections/col1/documents');
    expect(JSON.parse(requests[0]!.body as string)).toEqual({ title: 'FAQ', text: 'Refunds take 14 days.' });
  });

  it('uploads a Blob as multipart, with its filename and title', async () => {
    const { fetch, requests } = mockFetch(accepted());
    await atriumWith(fetch).documents.create('col1', { file: new Blob(['%PDF-1.7'], { type: 'application/pdf' }), filename: 'guide.pdf', title: 'Guide' });
    const form = requests[0]!.body as FormData;
    expect(form).toBeInstanceOf(FormData);
    const file = form.get('file') as File;
    expect(file.name).toBe('guide.pdf');
    expect(file.type).toBe('application/pdf');
    expect(await file.text()).toBe('%PDF-1.7');
    expect(form.get('title')).toBe('Guide');
    // fetch sets the multipart boundary itself.
    expect(requests[0]!.headers.get('content-type')).toBeNull();
    expect(requests[0]!.headers.get('idempotency-key')).toBeTruthy();
  });

  it('uploads bytes (Uint8Array or ArrayBuffer) under the given filename', async () => {
    const { fetch, requests } = mockFetch(accepted(), json({ document: doc('queued'), job: null }, 202));
    const bytes = new TextEncoder().encode('# Title');
    await atriumWith(fetch).documents.create('c', { file: bytes, filename: 'a.md' });
    await atriumWith(fetch).documents.create('c', { file: bytes.buffer, filename: 'b.md' });
    for (const [i, name] of ['a.md', 'b.md'].entries()) {
      const file = (requests[i]!.body as FormData).get('file') as File;
      expect(file.name).toBe(name);
      expect(await file.text()).toBe('# Title');
    }
  });

  it('refuses bytes without a filename', async () => {
    const { fetch } = mockFetch();
    await expect(atriumWith(fetch).documents.create('c', { file: new Uint8Array([1]) } as never)).rejects.toBeInstanceOf(AtriumError);
  });
});

describe('toFile', () => {
  it('reads a Node stream into a File', async () => {
    const file = await toFile(Readable.from([Buffer.from('hello '), Buffer.from('world')]), 'a.txt', { type: 'text/plain' });
    expect(file.name).toBe('a.txt');
    expect(file.type).toBe('text/plain');
    expect(await file.text()).toBe('hello world');
  });

  it('takes Buffers, web streams and Blobs', async () => {
    expect(await (await toFile(Buffer.from('buf'), 'b')).text()).toBe('buf');
    expect(await (await toFile(new Blob(['blob']).stream(), 's')).text()).toBe('blob');
    const fromBlob = await toFile(new Blob(['x'], { type: 'text/csv' }), 'c.csv');
    expect(fromBlob.type).toBe('text/csv');
  });
});

describe('documents.waitUntilReady', () => {
  it('polls until ready', async () => {
    const { fetch, requests } = mockFetch(json(doc('queued')), json(doc('processing')), json(doc('ready')));
    vi.useFakeTimers();
    const pending = atriumWith(fetch).documents.waitUntilReady('d1', { pollInterval: 200 });
    await vi.advanceTimersByTimeAsync(400);
    await expect(pending).resolves.toMatchObject({ status: 'ready' });
    expect(requests.map((r) => r.url)).toEqual(Array(3).fill('http://x/api/v1/documents/d1'));
  });

  it("throws DocumentFailedError carrying the document's error", async () => {
    const { fetch } = mockFetch(json(doc('failed', 'No text could be extracted')));
    const error = (await atriumWith(fetch).documents.waitUntilReady('d1').catch((e: unknown) => e)) as DocumentFailedError;
    expect(error).toBeInstanceOf(DocumentFailedError);
    expect(error.error).toBe('No text could be extracted');
    expect(error.document.id).toBe('d1');
  });

  it('throws DocumentWaitTimeoutError when time runs out', async () => {
    const { fetch, requests } = mockFetch(...Array.from({ length: 5 }, () => json(doc('processing'))));
    vi.useFakeTimers();
    const pending = atriumWith(fetch).documents.waitUntilReady('d1', { timeout: 1000, pollInterval: 300 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await pending).toBeInstanceOf(DocumentWaitTimeoutError);
    expect(requests).toHaveLength(4);
  });
});
