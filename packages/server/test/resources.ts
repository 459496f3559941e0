import { expect } from 'vitest';
import {
  addMember,
  call,
  createApiKey,
  createSpace,
  createUser,
  type Harness,
  type OpenApiDoc,
  type TenantFixture,
  TEST_SITE,
} from './helpers.js';

/**
 * Real resources of one tenant, keyed the way path parameters name them: by parameter
 * name (`spaceId`), or for a generic `{id}` by the collection it follows (`users/{id}`).
 * Table-driven tests (cross-tenant, property) substitute these into every route of the
 * OpenAPI document; a parameter with no entry here fails them, on purpose.
 */
export type ResourceIds = Record<string, string>;

/** The key under which `param` of `path` is looked up in a ResourceIds. */
export const resourceKey = (path: string, param: string): string =>
  param === 'id' ? `${path.split('/{id}')[0]!.split('/').at(-1)}/{id}` : param;

export const idFor = (ids: ResourceIds, path: string, param: string, file: string): string => {
  const key = resourceKey(path, param);
  const id = ids[key];
  if (!id)
    throw new Error(
      `${file} does not know the path parameter "{${param}}" (in ${path}): create such a resource in createResources() ` +
        `(test/resources.ts) and add it under the key "${key}"`,
    );
  return id;
};

export const fillPath = (path: string, ids: ResourceIds, file: string): string =>
  path.replace(/\{(\w+)\}/g, (_m, param: string) => encodeURIComponent(idFor(ids, path, param, file)));

const has = (doc: OpenApiDoc, path: string) => doc.paths[path] !== undefined;

/** Polls a job until it is no longer queued or running. */
export const settleJob = async (h: Harness, token: string, jobId: string, timeoutMs = 20_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(h.app, 'GET', `/api/v1/jobs/${jobId}`, { token });
    expect(r.status, r.text).toBe(200);
    if (!['queued', 'running'].includes(r.body.status)) return r.body.status as string;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * Creates one of everything the document's id routes can name, owned by `tenant`:
 * a space with a second member, that member (as `userId` and `users/{id}`), a user
 * outside the space (`outsiderId`), an API key
 * and, where the routes exist, a collection with an ingested document and its job, and a
 * published assistant over that collection with one conversation of the tenant's owner
 * (`conversationId`) whose answer is `messageId`.
 */
export const createResources = async (h: Harness, tenant: TenantFixture, doc: OpenApiDoc): Promise<ResourceIds> => {
  const space = await createSpace(h.app, tenant.token);
  const member = await createUser(h, tenant, 'member');
  await addMember(h.app, tenant.token, space.id, member.id, 'editor');
  const outsider = await createUser(h, tenant, 'member');
  const key = await createApiKey(h.app, tenant.token);
  const ids: ResourceIds = {
    /** A user of the tenant who is not in the space (for bodies that add members). */
    outsiderId: outsider.id,
    spaceId: space.id,
    userId: member.id,
    'users/{id}': member.id,
    'api-keys/{id}': key.id,
    tenantId: tenant.tenantId,
  };
  if (has(doc, '/api/v1/spaces/{spaceId}/collections')) {
    const collection = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/collections`, {
      token: tenant.token,
      json: { name: 'Handbook' },
    });
    expect(collection.status, collection.text).toBe(201);
    ids.collectionId = collection.body.id;
    const document = await call(h.app, 'POST', `/api/v1/collections/${ids.collectionId}/documents`, {
      token: tenant.token,
      json: { title: 'Leave policy', text: 'Employees get twenty-five days of paid leave per year. Carry-over is capped at five days.' },
    });
    expect(document.status, document.text).toBe(202);
    ids.documentId = document.body.document.id;
    if (document.body.job) {
      ids.jobId = document.body.job.id;
      await settleJob(h, tenant.token, ids.jobId!);
    }
  }
  if (has(doc, '/api/v1/spaces/{spaceId}/websites')) {
    const website = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/websites`, {
      token: tenant.token,
      json: { url: TEST_SITE, mode: 'crawl' },
    });
    expect(website.status, website.text).toBe(201);
    ids.websiteId = website.body.id;
    const crawl = await call(h.app, 'POST', `/api/v1/websites/${ids.websiteId}/crawl`, { token: tenant.token });
    expect(crawl.status, crawl.text).toBe(202);
    ids.runId = crawl.body.run.id;
    await settleJob(h, tenant.token, crawl.body.job.id);
  }
  if (has(doc, '/api/v1/spaces/{spaceId}/assistants')) {
    const assistant = await call(h.app, 'POST', `/api/v1/spaces/${space.id}/assistants`, {
      token: tenant.token,
      json: { name: 'Helper', published: true, ...(ids.collectionId && { collectionIds: [ids.collectionId] }) },
    });
    expect(assistant.status, assistant.text).toBe(201);
    ids.assistantId = assistant.body.id;
    // Conversations come from chatting; the core chats without HTTP (and without a network: the local answerer).
    const { conversationId, messageId } = await chatOnce(h, tenant.token, ids.assistantId!, 'How many days of paid leave do employees get?');
    ids.conversationId = conversationId;
    ids.messageId = messageId;
  }
  return ids;
};

/** One question to an assistant through the core, as the holder of `token`; returns the conversation and the answer's id. */
export const chatOnce = async (
  h: Harness,
  token: string,
  assistantId: string,
  message: string,
  conversationId?: string,
): Promise<{ conversationId: string; messageId: string }> => {
  const actor = await h.core.auth.authenticate(token);
  const stream = await h.core.assistants.chat(actor, assistantId, { message, conversationId });
  const events: { type: string }[] = [];
  for await (const event of stream.events) events.push(event);
  expect(events.at(-1)?.type, `the chat ended with ${JSON.stringify(events.at(-1))}`).toBe('done');
  return { conversationId: stream.conversationId, messageId: stream.messageId };
};

/** Everything of a tenant's that another tenant's calls could touch, as its owner sees it. */
export const snapshot = async (h: Harness, tenant: TenantFixture, ids: ResourceIds): Promise<Record<string, unknown>> => {
  const paths = [
    '/api/v1/me',
    '/api/v1/users?limit=100',
    `/api/v1/users/${tenant.owner.id}`,
    `/api/v1/users/${ids.userId}`,
    '/api/v1/spaces?limit=100',
    `/api/v1/spaces/${ids.spaceId}`,
    `/api/v1/spaces/${ids.spaceId}/members?limit=100`,
    '/api/v1/api-keys?limit=100',
  ];
  if (ids.collectionId)
    paths.push(
      `/api/v1/spaces/${ids.spaceId}/collections?limit=100`,
      `/api/v1/collections/${ids.collectionId}`,
      `/api/v1/collections/${ids.collectionId}/documents?limit=100`,
    );
  if (ids.documentId) paths.push(`/api/v1/documents/${ids.documentId}`, `/api/v1/documents/${ids.documentId}/chunks?limit=100`);
  if (ids.jobId) paths.push(`/api/v1/jobs/${ids.jobId}`);
  if (ids.assistantId)
    paths.push(
      `/api/v1/spaces/${ids.spaceId}/assistants?limit=100`,
      `/api/v1/assistants/${ids.assistantId}`,
      `/api/v1/assistants/${ids.assistantId}/conversations?scope=all&limit=100`,
    );
  if (ids.conversationId) paths.push(`/api/v1/conversations/${ids.conversationId}`);
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const r = await call(h.app, 'GET', path, { token: tenant.token });
    expect(r.status, `${path}: ${r.text}`).toBe(200);
    out[path] = r.body;
  }
  return out;
};
