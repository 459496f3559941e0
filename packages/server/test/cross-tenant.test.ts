import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import {
  call,
  createApiKey,
  createSpace,
  createTenant,
  expectProblem,
  fetchOpenApi,
  openHarness,
  operationsOf,
  pathParams,
  type Harness,
  type OpenApiDoc,
  type OpenApiOperation,
  type TenantFixture,
  TEST_SITE,
} from './helpers.js';
import { plausibleBody, type BodyOverride } from './openapi-bodies.js';
import { createResources, fillPath, snapshot, type ResourceIds } from './resources.js';

/**
 * Tenant isolation, table-driven from the app's own OpenAPI document: every path with
 * an id parameter, every method on it, called by tenant A with tenant B's real ids,
 * must answer 404 — exactly as for an id that does not exist. A new route is covered
 * the moment it is registered; a new parameter name fails until test/resources.ts
 * learns to create that kind of resource.
 */

const FILE = 'cross-tenant.test.ts';
const SYSADMIN_PREFIX = '/api/v1/sysadmin/';
// Widget visitors hold visitor tokens, never tenant credentials; their isolation (another
// visitor's or another tenant's conversations are 404) is widget/chat.test.ts's.
const WIDGET_PREFIX = '/api/v1/widget/';

/** Bodies the OpenAPI schema cannot describe well enough, keyed "METHOD path". */
const BODY_OVERRIDES: Record<string, BodyOverride> = {
  'PUT /api/v1/assistants/{assistantId}/widget': () => ({ enabled: true, allowedOrigins: ['https://shop.example'] }),
  'POST /api/v1/spaces/{spaceId}/websites': () => ({ url: TEST_SITE, mode: 'crawl' }),
};

/** Required query parameters, keyed "METHOD path": without them the answer would be a 422, proving nothing. */
const QUERY_OVERRIDES: Record<string, string> = {
  'GET /api/v1/assistants/{assistantId}/conversations/export': '?format=jsonl&scope=all',
};
const withQuery = (op: { method: string; path: string }, path: string): string => `${path}${QUERY_OVERRIDES[`${op.method} ${op.path}`] ?? ''}`;

/**
 * Routes whose success depends on the resource's state, and the answer that proves the
 * owner's call reached the resource with a valid request: retrying a document that did not
 * fail is a 409 (knowledge/retry.test.ts covers the 202).
 */
const STATE_ANSWERS: Record<string, number> = {
  'POST /api/v1/documents/{documentId}/retry': 409,
};

/** Body fields that reference other resources take the same tenant's ids (a user to add is one not yet in the space). */
const bodyRefs = (ids: ResourceIds): Record<string, string> => ({ ...ids, userId: ids.outsiderId! });

describe.each(await testDatabaseTargets())('cross-tenant isolation on $name', (target) => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;
  let bIds: ResourceIds;
  let aKey: { id: string; key: string };
  let doc: OpenApiDoc;
  let tenantOps: OpenApiOperation[];

  beforeAll(async () => {
    h = await openHarness(target);
    doc = await fetchOpenApi(h.app);
    a = h.tenant;
    b = await createTenant(h);
    bIds = await createResources(h, b, doc);
    aKey = await createApiKey(h.app, a.token);
    // A has resources of its own too, so "not found" cannot come from an empty tenant.
    await createResources(h, a, doc);
    await createSpace(h.app, a.token);
    tenantOps = operationsOf(doc).filter((op) => pathParams(op.path).length > 0 && !op.path.startsWith(SYSADMIN_PREFIX) && !op.path.startsWith(WIDGET_PREFIX));
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds the id-bearing routes of the contract in the OpenAPI document', () => {
    const keys = tenantOps.map((op) => `${op.method} ${op.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PATCH /api/v1/users/{id}',
        'DELETE /api/v1/users/{id}',
        'DELETE /api/v1/api-keys/{id}',
        'GET /api/v1/spaces/{spaceId}',
        'PATCH /api/v1/spaces/{spaceId}',
        'DELETE /api/v1/spaces/{spaceId}',
        'GET /api/v1/spaces/{spaceId}/members',
        'POST /api/v1/spaces/{spaceId}/members',
        'PATCH /api/v1/spaces/{spaceId}/members/{userId}',
        'DELETE /api/v1/spaces/{spaceId}/members/{userId}',
      ]),
    );
  });

  it("answers 404 to tenant A for every method on every id route given tenant B's ids, and B is unchanged", async () => {
    const before = await snapshot(h, b, bIds);
    const failures: string[] = [];
    for (const credential of ['access token', 'API key'] as const) {
      const auth = credential === 'access token' ? { token: a.token } : { headers: { 'X-API-Key': aKey.key } };
      for (const op of tenantOps) {
        const path = withQuery(op, fillPath(op.path, bIds, FILE));
        const { body, hasBody } = plausibleBody(doc, op, bodyRefs(bIds), BODY_OVERRIDES);
        const r = await call(h.app, op.method, path, { ...auth, ...(hasBody && { json: body }) });
        if (r.status !== 404) failures.push(`${op.method} ${op.path} (${credential}) → ${r.status} ${r.text.slice(0, 200)}`);
        else expectProblem(r, 404, 'not_found');
      }
    }
    expect(failures, 'tenant A reached tenant B through these routes').toEqual([]);
    expect(await snapshot(h, b, bIds)).toEqual(before);
    // B's credentials still work.
    expect((await call(h.app, 'GET', '/api/v1/me', { token: b.token })).status).toBe(200);
  });

  it('the derived bodies are valid: the owner of the resources gets a 2xx with each of them', async () => {
    // Guards the test above: a 404 that is really a 422 in disguise would prove nothing.
    const c = await createTenant(h);
    const shared = await createResources(h, c, doc);
    const failures: string[] = [];
    for (const op of tenantOps) {
      // Destructive calls get resources of their own, so order does not matter.
      const ids = op.method === 'DELETE' ? await createResources(h, c, doc) : shared;
      const { body, hasBody } = plausibleBody(doc, op, bodyRefs(ids), BODY_OVERRIDES);
      const r = await call(h.app, op.method, withQuery(op, fillPath(op.path, ids, FILE)), { token: c.token, ...(hasBody && { json: body }) });
      if (r.status >= 300 && r.status !== STATE_ANSWERS[`${op.method} ${op.path}`]) failures.push(`${op.method} ${op.path} → ${r.status} ${r.text.slice(0, 300)}`);
    }
    expect(failures, 'these routes refuse their own derived bodies or ids; fix BODY_OVERRIDES or createResources()').toEqual([]);
  });

  it('sysadmin routes are not tenant-scoped, and without ATRIUM_SYSADMIN_KEY they do not exist (404)', async () => {
    const sysadminOps = operationsOf(doc).filter((op) => op.path.startsWith(SYSADMIN_PREFIX));
    expect(sysadminOps.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining(['GET /api/v1/sysadmin/tenants', 'POST /api/v1/sysadmin/tenants', 'DELETE /api/v1/sysadmin/tenants/{tenantId}']),
    );
    const attempts: Record<string, string>[] = [{}, { Authorization: `Bearer ${a.token}` }, { Authorization: 'Bearer some-guessed-sysadmin-key' }];
    for (const op of sysadminOps) {
      const path = withQuery(op, fillPath(op.path, bIds, FILE));
      for (const headers of attempts) {
        const { body, hasBody } = plausibleBody(doc, op, {}, BODY_OVERRIDES);
        const r = await call(h.app, op.method, path, { headers, ...(hasBody && { json: body }) });
        expectProblem(r, 404, 'not_found');
      }
    }
    // B still exists.
    expect((await call(h.app, 'GET', '/api/v1/me', { token: b.token })).status).toBe(200);
  });
});
