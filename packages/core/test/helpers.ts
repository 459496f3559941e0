import { expect } from 'vitest';
import { createCore, type AtriumCore } from '../src/core.js';
import { AtriumError, type ErrorKind } from '../src/domain/errors.js';
import type { Actor, TenantRole } from '../src/domain/identity.js';
import { createAtrium, type AtriumInstance, type CreateAtriumOptions } from '../src/adapters/node/index.js';
import type { JobQueue } from '../src/ports/index.js';
import { actorFor, type TestDatabaseTarget } from '../src/test/index.js';

export { actorFor };

/** One Atrium over a fresh, empty database of `target`; `close()` also drops that database. */
export interface Harness {
  atrium: AtriumInstance;
  core: AtriumCore;
  close(): Promise<void>;
}

export const openHarness = async (
  target: TestDatabaseTarget,
  options: Partial<CreateAtriumOptions> = {},
): Promise<Harness> => {
  const database = await target.create();
  const atrium = await createAtrium({
    databaseUrl: database.databaseUrl,
    dataDir: database.dataDir,
    bcryptCost: 4,
    ...options,
  });
  return {
    atrium,
    core: atrium.core,
    async close() {
      await atrium.close();
      await database.drop();
    },
  };
};

/** A queue that records the ids of what is enqueued and runs nothing: the test decides when a handler runs. */
export const recordingQueue = (): JobQueue & { enqueued: string[] } => {
  const enqueued: string[] = [];
  return {
    kind: 'in-process',
    enqueued,
    enqueue: async (job) => void enqueued.push(job.id),
    process: async () => {},
    ping: async () => {},
    close: async () => {},
  };
};

let counter = 0;
/** A value no other test in this process uses (emails are unique across tenants). */
export const unique = (label: string): string => `${label}-${Date.now().toString(36)}-${++counter}`;
export const uniqueEmail = (label = 'user'): string => `${unique(label)}@example.com`;
/** A fresh client address per call, so the login throttle of one test never blocks another. */
export const nextIp = (): string => {
  const n = ++counter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export const PASSWORD = 'correct horse battery staple';

export interface TenantFixture {
  tenantId: string;
  owner: { id: string; email: string };
  actor: Actor;
}

export const newTenant = async (core: AtriumCore, name = unique('tenant')): Promise<TenantFixture> => {
  const { tenant, admin } = await core.tenants.create({ name, adminEmail: uniqueEmail('owner'), adminPassword: PASSWORD });
  return { tenantId: tenant.id, owner: admin, actor: actorFor(admin) };
};

export const newUser = async (core: AtriumCore, by: Actor, role: TenantRole = 'member') => {
  const user = await core.users.create(by, { email: uniqueEmail(role), password: PASSWORD, name: `A ${role}`, role });
  return { user, actor: actorFor(user) };
};

/** The same core (same store) seeing a different time. */
export const atTime = (core: AtriumCore, now: Date): AtriumCore => createCore({ ...core.context, clock: { now: () => now } });

/** Awaits `promise`, asserts it rejected with an AtriumError of `kind` (and `code`), and returns the error. */
export const expectAtriumError = async (
  promise: Promise<unknown>,
  kind: ErrorKind,
  code?: string,
): Promise<AtriumError> => {
  const outcome = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error(`Expected an AtriumError '${kind}', but the call succeeded`);
  expect(outcome.error).toBeInstanceOf(AtriumError);
  const error = outcome.error as AtriumError;
  expect({ kind: error.kind, code: error.code }).toEqual({ kind, code: code ?? error.code });
  return error;
};

export interface SyntheticChunk {
  text: string;
  embedding: number[];
}

/**
 * A `ready` document with the given chunks written straight through the repositories (no
 * extraction, no embedding model): for tests that need exact texts and vectors in a
 * collection. Returns the document id and the chunk ids, in order.
 */
export const addSyntheticDocument = async (
  h: Harness,
  tenantId: string,
  where: { spaceId: string; collectionId: string },
  chunks: SyntheticChunk[],
): Promise<{ documentId: string; chunkIds: string[] }> => {
  const repos = h.core.context.store.forTenant(tenantId);
  const { ids, clock } = h.core.context;
  const now = clock.now();
  const dimensions = chunks[0]?.embedding.length ?? 0;
  const document = await repos.documents.create({
    id: ids.next(),
    spaceId: where.spaceId,
    collectionId: where.collectionId,
    title: `Synthetic ${where.collectionId.slice(-4)}`,
    sourceType: 'text',
    source: null,
    format: 'text',
    byteSize: 1,
    contentHash: ids.next(),
    status: 'ready',
    error: null,
    chunkCount: chunks.length,
    tokenCount: chunks.length,
    createdAt: now,
    updatedAt: now,
  });
  const rows = chunks.map((chunk, ordinal) => ({
    id: ids.next(),
    ordinal,
    text: chunk.text,
    tokenCount: chunk.text.split(' ').length,
    metadata: { headingPath: [], startOffset: 0, endOffset: 1 },
    embedding: chunk.embedding,
  }));
  await repos.chunks.replaceForDocument(document.id, where.collectionId, dimensions, rows);
  return { documentId: document.id, chunkIds: rows.map((row) => row.id) };
};
