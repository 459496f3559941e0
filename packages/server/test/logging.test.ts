import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '@atrium/core';
import { testDatabaseTargets } from '@atrium/core/test';
import { createLogger, REDACTED_PATHS } from '../src/index.js';
import { call, captureLogger, createUser, nextIp, openHarness, PASSWORD, type Harness } from './helpers.js';
import { Writable } from 'node:stream';

/**
 * Secrets that pass through the API (passwords, access and refresh tokens, API keys)
 * never reach the logs — not in request lines, not in error logs.
 */
describe.each(await testDatabaseTargets())('logging on $name', (target) => {
  let h: Harness;
  let capture: ReturnType<typeof captureLogger>;
  // A use case that fails with an error carrying credential-looking fields, as HTTP
  // client errors do; the logger's redaction must still keep them out.
  let leakyError: { authorization?: string; password?: string; apiKey?: string } = {};

  beforeAll(async () => {
    capture = captureLogger();
    h = await openHarness(target, {
      logger: capture.logger,
      wrapCore: (core: AtriumCore): AtriumCore => ({
        ...core,
        spaces: {
          ...core.spaces,
          list: async () => {
            throw Object.assign(new Error('upstream failure while listing spaces'), leakyError);
          },
        },
      }),
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('login, refresh, API key creation and use, and a 500 leave no secret in the log', async () => {
    const start = capture.lines.length;
    const secretPassword = `Very-Secret-${Date.now()}-pw`;
    const user = await createUser(h, h.tenant, 'member', secretPassword);

    const loginRes = await call(h.app, 'POST', '/api/v1/auth/login', {
      json: { email: user.email, password: secretPassword },
      headers: { 'X-Forwarded-For': nextIp() },
    });
    expect(loginRes.status).toBe(200);
    const { accessToken, refreshToken } = loginRes.body as { accessToken: string; refreshToken: string };
    // A failed login with the (right) password typed into the email field, as people do.
    const typo = await call(h.app, 'POST', '/api/v1/auth/login', {
      json: { email: secretPassword, password: secretPassword },
      headers: { 'X-Forwarded-For': nextIp() },
    });
    expect(typo.status).toBe(401);

    const refreshed = await call(h.app, 'POST', '/api/v1/auth/refresh', { json: { refreshToken } });
    expect(refreshed.status).toBe(200);
    const newRefresh = refreshed.body.refreshToken as string;
    const newAccess = refreshed.body.accessToken as string;

    const created = await call(h.app, 'POST', '/api/v1/api-keys', { token: newAccess, json: { name: 'log test' } });
    expect(created.status).toBe(201);
    const apiKey = created.body.key as string;
    expect((await call(h.app, 'GET', '/api/v1/me', { headers: { 'X-API-Key': apiKey } })).status).toBe(200);
    expect((await call(h.app, 'GET', '/api/v1/me', { token: apiKey })).status).toBe(200);
    // Secrets in query strings (misbehaving clients) are not logged either.
    const inQuery = await call(h.app, 'GET', `/api/v1/me?access_token=${accessToken}&api_key=${apiKey}`, { token: accessToken });
    expect(inQuery.status).toBe(200);

    leakyError = { authorization: `Bearer ${accessToken}`, password: secretPassword, apiKey };
    const failed = await call(h.app, 'GET', '/api/v1/spaces', { token: apiKey });
    expect(failed.status).toBe(500);
    const logout = await call(h.app, 'POST', '/api/v1/auth/logout', { json: { refreshToken: newRefresh } });
    expect(logout.status).toBe(204);

    const logged = capture.lines.slice(start).join('');
    // The log did capture these requests (so the absence below means something)...
    expect(logged).toContain('/api/v1/auth/login');
    expect(logged).toContain('/api/v1/auth/refresh');
    expect(logged).toContain('/api/v1/api-keys');
    expect(logged).toContain('upstream failure while listing spaces');
    expect(logged).toContain(failed.body.requestId);
    expect(logged).toContain('[redacted]');
    // ...and none of the secrets.
    const secrets = {
      password: secretPassword,
      accessToken,
      refreshToken,
      newAccess,
      newRefresh,
      apiKey,
      // The parts a careless log might keep.
      accessSignature: accessToken.split('.')[2]!,
      apiKeyBody: apiKey.slice('atr_sk_'.length),
      refreshBody: refreshToken.slice('atr_rt_'.length),
    };
    for (const [name, secret] of Object.entries(secrets)) expect(logged.includes(secret), `${name} leaked into the log`).toBe(false);
    // One JSON object per line.
    for (const line of logged.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('the logger redacts credential-named fields wherever they are logged', () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    logger.info(
      {
        password: PASSWORD,
        user: { password: PASSWORD, refreshToken: 'atr_rt_secret1' },
        headers: { authorization: 'Bearer secret2', 'x-api-key': 'atr_sk_secret3' },
        req: { headers: { cookie: 'session=secret4' } },
      },
      'with secrets',
    );
    const text = lines.join('');
    expect(text).toContain('with secrets');
    for (const secret of [PASSWORD, 'atr_rt_secret1', 'secret2', 'atr_sk_secret3', 'secret4']) expect(text).not.toContain(secret);
    expect(REDACTED_PATHS.length).toBeGreaterThan(0);
  });
});
