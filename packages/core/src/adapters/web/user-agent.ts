import { createRequire } from 'node:module';

const coreVersion = (): string => {
  try {
    return (createRequire(import.meta.url)('@atrium/core/package.json') as { version: string }).version;
  } catch {
    return '0';
  }
};

/**
 * The user agent the fetcher announces: `AtriumBot/<version>`, with `(+<url>)` when there is
 * a page a site owner can visit to learn who is crawling (ATRIUM_PUBLIC_URL). robots.txt
 * groups are matched on its product token, `AtriumBot`.
 */
export const defaultUserAgent = (infoUrl?: string): string => `AtriumBot/${coreVersion()}${infoUrl ? ` (+${infoUrl})` : ''}`;

/** A product token first (what robots.txt groups match), then printable ASCII: what an HTTP header may carry. */
export const isValidUserAgent = (value: string): boolean =>
  value.length <= 256 && /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\/[\x21-\x7e]+)?( [\x20-\x7e]*)?$/.test(value);
