import { describe, expect, it } from 'vitest';
import { AtriumError } from '../../domain/errors.js';
import type { WebFetcher, WebFetchResult } from '../../ports/index.js';
import { isPermanent } from '../jobs/jobs.js';
import { fetchLinkedDocument, LINKED_DOCUMENT_TYPES } from './linked-documents.js';

const URL_ = 'https://example.com/docs/guide.pdf';

const answering = (result: WebFetchResult, seen: unknown[] = []): WebFetcher => ({
  check: async (url) => ({ ok: true, url }),
  fetch: async (request) => {
    seen.push(request);
    return result;
  },
});

const failure = async (result: WebFetchResult): Promise<AtriumError> => {
  const error = await fetchLinkedDocument(answering(result), URL_, new AbortController().signal).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AtriumError);
  return error as AtriumError;
};

describe('fetchLinkedDocument', () => {
  it('hands the bytes, the served type and the file name to extraction, asking only for types it reads', async () => {
    const seen: unknown[] = [];
    const bytes = new Uint8Array([1, 2, 3]);
    const fetcher = answering({ kind: 'ok', url: URL_, status: 200, contentType: 'application/pdf', bytes, etag: undefined, lastModified: undefined }, seen);
    expect(await fetchLinkedDocument(fetcher, URL_, new AbortController().signal)).toEqual({ bytes, declaredType: 'application/pdf', filename: 'guide.pdf' });
    expect(seen).toEqual([expect.objectContaining({ url: URL_, accept: LINKED_DOCUMENT_TYPES })]);
  });

  it.each<[WebFetchResult, boolean]>([
    [{ kind: 'failed', url: URL_, code: 'timeout', message: 'slow' }, false],
    [{ kind: 'failed', url: URL_, code: 'network', message: 'refused' }, false],
    [{ kind: 'failed', url: URL_, code: 'http_error', status: 503, message: '503' }, false],
    [{ kind: 'failed', url: URL_, code: 'http_error', status: 429, message: '429' }, false],
    [{ kind: 'not_modified', url: URL_ }, false],
    [{ kind: 'failed', url: URL_, code: 'http_error', status: 404, message: 'example.com answered 404 Not Found' }, true],
    [{ kind: 'failed', url: URL_, code: 'http_error', status: 403, message: '403' }, true],
    [{ kind: 'failed', url: URL_, code: 'too_large', message: 'too big' }, true],
    [{ kind: 'failed', url: URL_, code: 'unsupported_type', message: 'image/png' }, true],
    [{ kind: 'refused', url: URL_, reason: 'robots', message: 'robots.txt disallows it' }, true],
    [{ kind: 'refused', url: URL_, reason: 'address', message: 'a private address' }, true],
  ])('%j fails the document at once: %s', async (result, permanent) => {
    const error = await failure(result);
    expect(isPermanent(error)).toBe(permanent);
    expect(error.message).toContain(URL_);
    if ('message' in result) expect(error.message).toContain(result.message);
  });
});
