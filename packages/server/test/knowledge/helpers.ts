/**
 * Shared helpers of the Knowledge suites: a harness whose limits (HTTP body limit and the
 * core's upload limit) can be set, multipart uploads, and polling until ingestion ends.
 */
import { expect } from 'vitest';
import type { AtriumCore, CoreSettings } from '@atrium/core';
import { createAtrium, type AtriumInstance, type CreateAtriumOptions } from '@atrium/core/node';
import type { TestDatabaseTarget } from '@atrium/core/test';
import { fixtureBytes, type FixtureName } from '../../../core/test/extraction/fixtures.js';
import { createApp, type AtriumApp } from '../../src/index.js';
import {
  call,
  JWT_SECRET,
  login,
  PASSWORD,
  silentLogger,
  uniqueEmail,
  type CallOptions,
  type CallResult,
  type TenantFixture,
} from '../helpers.js';

export { fixtureBytes, type FixtureName };

export interface KnowledgeHarness {
  app: AtriumApp;
  /** The core the app uses (the wrapped one when `wrapCore` was given). */
  core: AtriumCore;
  atrium: AtriumInstance;
  tenant: TenantFixture;
  /** Every status this harness's `api`/`upload` saw, in order (for "never a 5xx" checks). */
  statuses: number[];
  close(): Promise<void>;
}

export interface KnowledgeHarnessOptions {
  /** The HTTP body limit for uploads (createApp's `maxUploadBytes`). */
  httpMaxUploadBytes?: number;
  /** The core's own limit (`settings.maxUploadBytes` of createAtrium). */
  settings?: Partial<CoreSettings>;
  wrapCore?: (core: AtriumCore) => AtriumCore;
  /** Further options of the Atrium under test (e.g. `crawler`, to open a local site). */
  atrium?: Partial<CreateAtriumOptions>;
}

/** An app over a fresh database of `target` (in-process queue, isolated extractor), with a bootstrapped tenant. */
export const openKnowledgeHarness = async (
  target: TestDatabaseTarget,
  options: KnowledgeHarnessOptions = {},
): Promise<KnowledgeHarness> => {
  const database = await target.create();
  const atrium = await createAtrium({
    databaseUrl: database.databaseUrl,
    dataDir: database.dataDir,
    bcryptCost: 4,
    jwtSecret: JWT_SECRET,
    ...(options.settings && { settings: options.settings }),
    ...options.atrium,
  });
  try {
    const ownerEmail = uniqueEmail('knowledge-owner');
    const boot = await atrium.core.tenants.bootstrap({ adminEmail: ownerEmail, adminPassword: PASSWORD });
    if (!boot.created) throw new Error('bootstrap did not create a tenant on an empty database');
    const core = options.wrapCore ? options.wrapCore(atrium.core) : atrium.core;
    const app = createApp({
      core,
      logger: silentLogger(),
      ready: () => atrium.ping(),
      trustProxy: true,
      ...(options.httpMaxUploadBytes !== undefined && { maxUploadBytes: options.httpMaxUploadBytes }),
    });
    const tenant: TenantFixture = {
      tenantId: boot.tenant.id,
      owner: { id: boot.admin.id, email: boot.admin.email, password: PASSWORD },
      token: (await login(app, ownerEmail)).accessToken,
    };
    return {
      app,
      core,
      atrium,
      tenant,
      statuses: [],
      async close() {
        await atrium.close(2_000);
        await database.drop();
      },
    };
  } catch (error) {
    await atrium.close(0).catch(() => {});
    await database.drop().catch(() => {});
    throw error;
  }
};

const recordStatus = (h: KnowledgeHarness, r: { status: number; text: string }, what: string) => {
  h.statuses.push(r.status);
  // API.md: never a 500 for bad input. Every call of these suites is held to that.
  expect(r.status, `${what} answered ${r.status}: ${r.text}`).toBeLessThan(500);
};

/** `call` against the harness's app, asserting the answer is not a 5xx. */
export const api = async <T = any>(
  h: KnowledgeHarness,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult<T>> => {
  const r = await call<T>(h.app, method, path, options);
  recordStatus(h, r, `${method} ${path}`);
  return r;
};

export interface UploadInput {
  bytes: Uint8Array;
  filename?: string;
  /** The part's Content-Type (the client's claim). */
  type?: string;
  title?: string;
  /** The form field name; `file` unless a test wants it wrong. */
  field?: string;
}

/** POST /collections/{id}/documents as multipart/form-data. */
export const upload = async (h: KnowledgeHarness, token: string, collectionId: string, input: UploadInput): Promise<CallResult> => {
  const form = new FormData();
  const blob = new Blob([input.bytes as Uint8Array<ArrayBuffer>], { type: input.type ?? 'application/octet-stream' });
  form.append(input.field ?? 'file', blob, input.filename ?? 'upload.bin');
  if (input.title !== undefined) form.append('title', input.title);
  return sendForm(h, token, collectionId, form);
};

/** POSTs an already-built form to the documents endpoint. */
export const sendForm = async (h: KnowledgeHarness, token: string, collectionId: string, form: FormData): Promise<CallResult> => {
  const path = `/api/v1/collections/${collectionId}/documents`;
  const res = await h.app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const result: CallResult = { res, status: res.status, headers: res.headers, body: type.includes('json') && text ? JSON.parse(text) : undefined, text };
  recordStatus(h, result, `POST ${path} (multipart)`);
  return result;
};

/** The MIME type a browser would send for each fixture. */
export const FIXTURE_TYPES: Partial<Record<FixtureName, string>> = {
  'two-pages.pdf': 'application/pdf',
  'truncated.pdf': 'application/pdf',
  'image-named.pdf': 'application/pdf',
  'report.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'empty.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'zip-bomb.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'article.html': 'text/html',
  'handbook.md': 'text/markdown',
  'notes.txt': 'text/plain',
  'random-bytes.txt': 'text/plain',
  'people.csv': 'text/csv',
};

export const uploadFixture = (h: KnowledgeHarness, token: string, collectionId: string, name: FixtureName, title?: string) =>
  upload(h, token, collectionId, {
    bytes: fixtureBytes(name),
    filename: name,
    type: FIXTURE_TYPES[name] ?? 'application/octet-stream',
    ...(title !== undefined && { title }),
  });

export const createCollection = async (
  h: KnowledgeHarness,
  token: string,
  spaceId: string,
  body: Record<string, unknown> = { name: `Collection ${Math.random().toString(36).slice(2, 8)}` },
) => {
  const r = await api(h, 'POST', `/api/v1/spaces/${spaceId}/collections`, { token, json: body });
  expect(r.status, r.text).toBe(201);
  return r.body as { id: string; name: string; embeddingModel: string; embeddingDimensions: number };
};

const TERMINAL_DOCUMENT = ['ready', 'failed'];
const TERMINAL_JOB = ['completed', 'failed'];
const POLL_INTERVAL_MS = 25;

const pollUntil = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs: number,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not finish within ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
};

/** Polls GET /documents/{id} until `ready` or `failed`; returns the document. */
export const waitForDocument = (h: KnowledgeHarness, token: string, documentId: string, timeoutMs = 45_000) =>
  pollUntil(
    async () => {
      const r = await api(h, 'GET', `/api/v1/documents/${documentId}`, { token });
      expect(r.status, r.text).toBe(200);
      return r.body as Record<string, any>;
    },
    (d) => TERMINAL_DOCUMENT.includes(d.status),
    `document ${documentId}`,
    timeoutMs,
  );

/** Polls GET /jobs/{id} until `completed` or `failed`; returns the job. */
export const waitForJob = (h: KnowledgeHarness, token: string, jobId: string, timeoutMs = 45_000) =>
  pollUntil(
    async () => {
      const r = await api(h, 'GET', `/api/v1/jobs/${jobId}`, { token });
      expect(r.status, r.text).toBe(200);
      return r.body as Record<string, any>;
    },
    (j) => TERMINAL_JOB.includes(j.status),
    `job ${jobId}`,
    timeoutMs,
  );

/** Adds a text document as JSON and waits until it is ready; returns the ready document. */
export const ingestText = async (h: KnowledgeHarness, token: string, collectionId: string, title: string, text: string) => {
  const r = await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token, json: { title, text } });
  expect(r.status, r.text).toBe(202);
  const document = await waitForDocument(h, token, r.body.document.id);
  expect(document.status, JSON.stringify(document)).toBe('ready');
  return document;
};

/** Every chunk of a document, following cursors. */
export const allChunks = async (h: KnowledgeHarness, token: string, documentId: string) => {
  const chunks: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const r = await api(h, 'GET', `/api/v1/documents/${documentId}/chunks${query}`, { token });
    expect(r.status, r.text).toBe(200);
    chunks.push(...r.body.data);
    cursor = r.body.nextCursor;
  } while (cursor);
  return chunks;
};

export const search = (h: KnowledgeHarness, token: string, collectionId: string, body: Record<string, unknown>) =>
  api(h, 'POST', `/api/v1/collections/${collectionId}/search`, { token, json: body });
