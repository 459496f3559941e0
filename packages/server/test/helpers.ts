import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { AtriumCore, TenantRole, SpaceRole } from '@atrium/core';
import { createAtrium, type AtriumInstance, type CreateAtriumOptions } from '@atrium/core/node';
import { fakeWebFetcher, type FakeWebFetcher, type TestDatabaseTarget } from '@atrium/core/test';
import pino, { type Logger } from 'pino';
import { createApp, createLogger, type AtriumApp } from '../src/index.js';
import type { AppDeps } from '../src/http/env.js';

export const PASSWORD = 'correct horse battery staple';
export const JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const SYSADMIN_KEY = 'sysadmin-key-for-tests-0123456789';

let counter = 0;
/** A value no other test in this process uses (emails are unique across tenants). */
export const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++counter}`;
export const uniqueEmail = (label = 'user'): string => `${unique(label)}@example.com`;
/** A fresh client address per call, so the login throttle of one test never blocks another. */
export const nextIp = (): string => {
  const n = ++counter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

/** A pino logger that writes nowhere, or into `lines` when given. */
export const captureLogger = (): { logger: Logger; text: () => string; lines: string[] } => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  // The real logger (with its redaction), at the chattiest level: tests see what production would write.
  return { logger: createLogger('trace', stream), text: () => lines.join(''), lines };
};

export const silentLogger = (): Logger => pino({ level: 'silent' });

export interface Harness {
  app: AtriumApp;
  core: AtriumCore;
  atrium: AtriumInstance;
  /** The tenant created by bootstrap, with its owner. */
  tenant: TenantFixture;
  close(): Promise<void>;
}

export interface HarnessOptions {
  logger?: Logger;
  sysadminKey?: string;
  trustProxy?: boolean;
  ready?: AppDeps['ready'];
  /** Wraps the real core (e.g. a double that fails one use case). */
  wrapCore?: (core: AtriumCore) => AtriumCore;
  /** Extra options for the Atrium under test (e.g. `chatModels` pointing at a fake model server). */
  atrium?: Partial<CreateAtriumOptions>;
}

/** The web as tests see it: a small site at https://docs.example.test/ (see fakeWebFetcher); metadata.internal is a private address. */
export const TEST_SITE = 'https://docs.example.test/';
export const testSite = (): FakeWebFetcher => {
  const html = (title: string, body: string, links: string[] = []) => ({
    body: `<html lang="en"><head><title>${title}</title></head><body><nav>${links.map((l) => `<a href="${l}">${l}</a>`).join('')}</nav><main><h1>${title}</h1><p>${body}</p></main></body></html>`,
  });
  return fakeWebFetcher({
    refusedHosts: ['metadata.internal'],
    pages: {
      [TEST_SITE]: html('Docs', 'The documentation of the example product.', ['/refunds', '/shipping']),
      [`${TEST_SITE}refunds`]: html('Refunds', 'Refunds are paid within fourteen days of the return arriving at our warehouse.'),
      [`${TEST_SITE}shipping`]: html('Shipping', 'Parcels ship on weekdays and arrive within three working days.'),
    },
  });
};

/** One app over a fresh, empty database of `target`, with a bootstrapped tenant. */
export const openHarness = async (target: TestDatabaseTarget, options: HarnessOptions = {}): Promise<Harness> => {
  const database = await target.create();
  const atrium = await createAtrium({
    databaseUrl: database.databaseUrl,
    dataDir: database.dataDir,
    bcryptCost: 4,
    jwtSecret: JWT_SECRET,
    // No test reaches the internet: websites are crawled from a scripted site.
    web: testSite(),
    ...options.atrium,
  });
  try {
    const ownerEmail = uniqueEmail('bootstrap-owner');
    const boot = await atrium.core.tenants.bootstrap({ adminEmail: ownerEmail, adminPassword: PASSWORD });
    if (!boot.created) throw new Error('bootstrap did not create a tenant on an empty database');
    const core = options.wrapCore ? options.wrapCore(atrium.core) : atrium.core;
    const app = createApp({
      core,
      logger: options.logger ?? silentLogger(),
      ready: options.ready ?? (() => atrium.database.ping()),
      sysadminKey: options.sysadminKey,
      trustProxy: options.trustProxy ?? true,
    });
    const tenant: TenantFixture = {
      tenantId: boot.tenant.id,
      owner: { id: boot.admin.id, email: boot.admin.email, password: PASSWORD },
      token: '',
    };
    tenant.token = (await login(app, ownerEmail)).accessToken;
    return {
      app,
      core: atrium.core,
      atrium,
      tenant,
      async close() {
        await atrium.close();
        await database.drop();
      },
    };
  } catch (error) {
    await atrium.close().catch(() => {});
    await database.drop().catch(() => {});
    throw error;
  }
};

export interface UserFixture {
  id: string;
  email: string;
  password: string;
}

export interface TenantFixture {
  tenantId: string;
  owner: UserFixture;
  /** An access token of the owner. */
  token: string;
}

// ---------------------------------------------------------------------------------------
// HTTP

export interface CallOptions {
  token?: string | undefined;
  /** A JSON value to send (serialised here), or a raw string body. */
  json?: unknown;
  body?: string | Uint8Array | undefined;
  headers?: Record<string, string>;
}

export interface CallResult<T = any> {
  res: Response;
  status: number;
  headers: Headers;
  /** The parsed JSON body (problem or resource), or undefined for no/non-JSON body. */
  body: T;
  text: string;
}

/** One request against the in-process app. */
export const call = async <T = any>(
  app: AtriumApp,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  }
  // A string body would get `text/plain` from fetch; bytes go without any Content-Type, as asked.
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
  if (typeof body === 'string' && !hasType) body = new TextEncoder().encode(body);
  const res = await app.request(path, { method, headers, ...(body !== undefined && { body: body as BodyInit }) });
  const text = await res.text();
  let parsed: unknown;
  const type = res.headers.get('content-type') ?? '';
  // JSON bodies are parsed; JSON Lines (`application/x-ndjson`) stay text, a line each.
  if (type.includes('json') && !type.includes('ndjson') && text) parsed = JSON.parse(text);
  return { res, status: res.status, headers: res.headers, body: parsed as T, text };
};

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; role: TenantRole; tenantId: string };
}

/** Logs in (from a fresh IP, so the throttle never interferes) and returns the session. */
export const login = async (app: AtriumApp, email: string, password = PASSWORD, ip = nextIp()): Promise<Session> => {
  const r = await call<Session>(app, 'POST', '/api/v1/auth/login', {
    json: { email, password },
    headers: { 'X-Forwarded-For': ip },
  });
  if (r.status !== 200) throw new Error(`login of ${email} failed: ${r.status} ${r.text}`);
  return r.body;
};

/** Asserts a problem+json answer with `status` (and `code`); with a 4xx `status` that also rules out any 5xx. */
export const expectProblem = (r: CallResult, status: number, code?: string): void => {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  expect(typeof r.body.code).toBe('string');
  if (code !== undefined) expect(r.body.code).toBe(code);
};

export const expectStatus = (r: CallResult, status: number): void => {
  expect(r.status, r.text).toBe(status);
};

// ---------------------------------------------------------------------------------------
// Fixtures over HTTP

/** A second (third, ...) tenant with its owner logged in. */
export const createTenant = async (h: Harness, name = unique('tenant')): Promise<TenantFixture> => {
  const email = uniqueEmail('owner');
  const { tenant, admin } = await h.core.tenants.create({ name, adminEmail: email, adminPassword: PASSWORD });
  const session = await login(h.app, email);
  return { tenantId: tenant.id, owner: { id: admin.id, email, password: PASSWORD }, token: session.accessToken };
};

export interface LoggedInUser extends UserFixture {
  role: TenantRole;
  token: string;
}

/** Creates a user in `by`'s tenant over HTTP and logs them in. */
export const createUser = async (
  h: Harness,
  by: TenantFixture,
  role: TenantRole = 'member',
  password = PASSWORD,
): Promise<LoggedInUser> => {
  const email = uniqueEmail(role);
  const r = await call(h.app, 'POST', '/api/v1/users', {
    token: by.token,
    json: { email, password, name: `A ${role}`, role },
  });
  if (r.status !== 201) throw new Error(`creating a ${role} failed: ${r.status} ${r.text}`);
  const session = await login(h.app, email, password);
  return { id: r.body.id, email, password, role, token: session.accessToken };
};

export interface SpaceFixture {
  id: string;
  name: string;
}

export const createSpace = async (app: AtriumApp, token: string, name = unique('space')): Promise<SpaceFixture> => {
  const r = await call(app, 'POST', '/api/v1/spaces', { token, json: { name, description: 'for tests' } });
  if (r.status !== 201) throw new Error(`creating a space failed: ${r.status} ${r.text}`);
  return { id: r.body.id, name: r.body.name };
};

export const addMember = async (app: AtriumApp, token: string, spaceId: string, userId: string, role: SpaceRole) => {
  const r = await call(app, 'POST', `/api/v1/spaces/${spaceId}/members`, { token, json: { userId, role } });
  if (r.status !== 201) throw new Error(`adding a member failed: ${r.status} ${r.text}`);
  return r.body;
};

export const createApiKey = async (app: AtriumApp, token: string, name = unique('key')): Promise<{ id: string; key: string }> => {
  const r = await call(app, 'POST', '/api/v1/api-keys', { token, json: { name } });
  if (r.status !== 201) throw new Error(`creating an API key failed: ${r.status} ${r.text}`);
  return { id: r.body.id, key: r.body.key };
};

// ---------------------------------------------------------------------------------------
// The OpenAPI document

export interface OpenApiOperation {
  path: string;
  method: string;
  operation: { summary?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; security?: unknown[] };
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  $ref?: string;
  const?: unknown;
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation['operation']>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export const fetchOpenApi = async (app: AtriumApp): Promise<OpenApiDoc> => {
  const r = await call<OpenApiDoc>(app, 'GET', '/openapi.json');
  if (r.status !== 200) throw new Error(`/openapi.json answered ${r.status}`);
  return r.body;
};

export const operationsOf = (doc: OpenApiDoc): OpenApiOperation[] =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((method) => ({ path, method: method.toUpperCase(), operation: item[method]! })),
  );

export const pathParams = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

/** Resolves `$ref`s against the document's components. */
export const deref = (doc: OpenApiDoc, schema: JsonSchema | undefined): JsonSchema | undefined => {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return deref(doc, doc.components?.schemas?.[name]);
};

export const jsonBodySchema = (doc: OpenApiDoc, op: OpenApiOperation): JsonSchema | undefined =>
  deref(doc, op.operation.requestBody?.content?.['application/json']?.schema);
