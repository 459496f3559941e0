import { AtriumError } from '../../domain/errors.js';
import type { ExtractionInput, WebFetcher } from '../../ports/index.js';

/**
 * What a `{url}` document may be: the types extraction reads. `application/octet-stream`
 * too, as many servers send PDFs that way: the extractor decides from the bytes, as it
 * does for uploads.
 */
export const LINKED_DOCUMENT_TYPES = [
  'text/html',
  'application/xhtml+xml',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'text/markdown',
  'text/x-markdown',
  'text/plain',
  'text/csv',
  'application/octet-stream',
] as const;

/** The last path segment, which extraction may use to tell text formats apart (`notes.md`). */
const filenameOf = (url: string): string | undefined => {
  try {
    const segment = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return segment || undefined;
  } catch {
    return undefined;
  }
};

/**
 * Fetches a `{url}` document through the web fetcher (SSRF checks, robots.txt, limits),
 * for the extractor. A failure that may pass (a timeout, no connection, a 5xx or a 429)
 * is `unavailable`, so the job is retried; one that will not (refused, 4xx, too large, a
 * type we do not read) fails the document at once. Either way the message says why.
 */
export const fetchLinkedDocument = async (
  web: WebFetcher,
  url: string,
  signal: AbortSignal,
): Promise<ExtractionInput & { bytes: Uint8Array }> => {
  const result = await web.fetch({ url, signal, accept: LINKED_DOCUMENT_TYPES });
  switch (result.kind) {
    case 'ok':
      return { bytes: result.bytes, declaredType: result.contentType, filename: filenameOf(result.url) };
    case 'refused':
      // An unreadable robots.txt closes the site only for now: try again later.
      if (result.reason === 'robots_unreachable') throw new AtriumError('unavailable', 'fetch_failed', `${url} was not fetched: ${result.message}`);
      throw new AtriumError('invalid', 'url_refused', `${url} was not fetched (${result.reason}): ${result.message}`);
    case 'not_modified':
      // No validators are sent for a document, so a 304 is the server's mistake.
      throw new AtriumError('unavailable', 'fetch_failed', `${url} answered 304 Not Modified to an unconditional request`);
    case 'failed': {
      const message = `${url} could not be fetched: ${result.message}`;
      const status = result.status ?? 0;
      if (result.code === 'timeout' || result.code === 'network' || (result.code === 'http_error' && (status >= 500 || status === 429)))
        throw new AtriumError('unavailable', 'fetch_failed', message);
      if (result.code === 'too_large') throw new AtriumError('too_large', 'fetch_too_large', message);
      if (result.code === 'unsupported_type') throw new AtriumError('unsupported', 'unsupported_media_type', message);
      throw new AtriumError('invalid', 'fetch_failed', message);
    }
  }
};
