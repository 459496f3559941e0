/**
 * A real Atrium on in-memory PGlite, listening on a free local port, with its default
 * local models (hashing embedder, extractive answerer): no network, no keys. The SDK
 * talks to it over HTTP exactly as an application would.
 */
import { createLogger, loadConfig, startServer, type RunningServer } from '@atrium/server';

export const ADMIN_EMAIL = 'owner@sdk.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

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
  const server: RunningServer = await startServer({ ...config, port: 0 }, createLogger('silent'), { demoDocsDir: null });
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
