/**
 * A real Atrium on in-memory PGlite, listening on a free local port, with its default
 * local models (hashing embedder, extractive answerer): no network, no keys. The SDK
 * talks to it over HTTP exactly as an application would.
 */
import { createLogger, loadConfig, startServer, type RunningServer } from '@atrium/server';

export const ADMIN_EMAIL = 'owner@sdk.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** The one website tests crawl, served from memory by the server's fetcher: no network. */
export const TEST_SITE = 'https://docs.sdk.test/';
const SITE_PAGES: Record<string, string> = {
  [TEST_SITE]: '<html lang="en"><title>SDK docs</title><nav><a href="/install">Install</a></nav><main><h1>SDK docs</h1><p>How to use the SDK.</p></main></html>',
  [`${TEST_SITE}install`]: '<html lang="en"><title>Install</title><main><h1>Install</h1><p>Install the SDK with npm install @atrium/sdk.</p></main></html>',
};
const testSiteFetcher = {
  check: async (url: string) =>
    url.startsWith(TEST_SITE) ? { ok: true as const, url } : { ok: false as const, reason: 'address' as const, message: 'only the test site is reachable in tests' },
  fetch: async ({ url }: { url: string }) => {
    const html = SITE_PAGES[url];
    return html === undefined
      ? { kind: 'failed' as const, url, status: 404, code: 'http_error' as const, message: 'HTTP 404' }
      : { kind: 'ok' as const, url, status: 200, contentType: 'text/html', bytes: new TextEncoder().encode(html), etag: undefined, lastModified: undefined };
  },
};

export interface TestServer {
  url: string;
  /** An access token of the bootstrapped owner. */
  token: string;
  close(): Promise<void>;
}

export const startTestServer = async (): Promise<TestServer> => {
  const config = loadConfig({
    ATRIUM_DATA_DIR: 'memory://',
    ATRIUM_HOST: '127.0.0.1',
    ATRIUM_ADMIN_EMAIL: ADMIN_EMAIL,
    ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ATRIUM_JWT_SECRET: 'sdk-test-jwt-secret-that-is-long-enough-0123456789',
  });
  // Port 0: the system picks a free one (the configuration itself insists on 1–65535).
  // No demo assistant: these tests count the owner's spaces and documents.
  const server: RunningServer = await startServer({ ...config, port: 0 }, createLogger('silent'), { demoDocsDir: null, web: testSiteFetcher });
  const url = `http://127.0.0.1:${server.port}`;
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (!res.ok) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { url, token: accessToken, close: () => server.shutdown(1_000) };
};
