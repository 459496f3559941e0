/**
 * A collection's `language` over HTTP (ADR 0037): chosen at creation, returned on every
 * collection, english by default (or ATRIUM_DEFAULT_LANGUAGE's value, which reaches core as
 * `settings.defaultLanguage`), an unknown one a 422 naming the field with nothing changed;
 * PATCH to a new language answers with the `reindex_collection` job, followed at
 * GET /jobs/{id}, after which search stems Swedish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { createSpace, expectProblem } from '../helpers.js';
import { api, createCollection, ingestText, openKnowledgeHarness, search, waitForJob, type KnowledgeHarness } from './helpers.js';

const SWEDISH =
  'Bilen står parkerad i garaget bakom kontoret. Återbetalningen görs inom trettio dagar efter att varan har kommit tillbaka.';

describe.each(await testDatabaseTargets())('collection language over HTTP on $name', (target) => {
  let h: KnowledgeHarness;
  let token: string;
  let spaceId: string;

  beforeAll(async () => {
    h = await openKnowledgeHarness(target);
    token = h.tenant.token;
    spaceId = (await createSpace(h.app, token)).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is english by default and returned on create, get, list and patch', async () => {
    const created = await createCollection(h, token, spaceId, { name: 'Default language' });
    expect(created).toMatchObject({ language: 'english' });
    const got = await api(h, 'GET', `/api/v1/collections/${created.id}`, { token });
    expect(got.body.language).toBe('english');
    const list = await api(h, 'GET', `/api/v1/spaces/${spaceId}/collections`, { token });
    expect(list.body.data.find((c: { id: string }) => c.id === created.id)?.language).toBe('english');
    const patched = await api(h, 'PATCH', `/api/v1/collections/${created.id}`, { token, json: { name: 'Renamed' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', language: 'english', job: null });
  });

  it('is chosen at creation', async () => {
    expect(await createCollection(h, token, spaceId, { name: 'Svenska', language: 'swedish' })).toMatchObject({ language: 'swedish' });
    expect(await createCollection(h, token, spaceId, { name: 'Einfach', language: 'simple' })).toMatchObject({ language: 'simple' });
  });

  it('an unknown language is a 422 naming `language`, and nothing is created or changed', async () => {
    const before = (await api(h, 'GET', `/api/v1/spaces/${spaceId}/collections?limit=100`, { token })).body.data.length;
    for (const language of ['klingon', 'English', '', 42, "english'); drop table chunks; --"]) {
      const r = await api(h, 'POST', `/api/v1/spaces/${spaceId}/collections`, { token, json: { name: 'Bad', language } });
      expectProblem(r, 422);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['language']);
    }
    expect((await api(h, 'GET', `/api/v1/spaces/${spaceId}/collections?limit=100`, { token })).body.data.length).toBe(before);

    const existing = await createCollection(h, token, spaceId, { name: 'Unchanged' });
    const r = await api(h, 'PATCH', `/api/v1/collections/${existing.id}`, { token, json: { name: 'Changed', language: 'klingon' } });
    expectProblem(r, 422);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['language']);
    const after = await api(h, 'GET', `/api/v1/collections/${existing.id}`, { token });
    expect(after.body).toMatchObject({ name: 'Unchanged', language: 'english' });
  });

  it('a new language answers with the re-index job; afterwards search stems in that language', async () => {
    const collection = await createCollection(h, token, spaceId, { name: 'Becomes swedish' });
    await ingestText(h, token, collection.id, 'Svenska', SWEDISH);
    const before = await search(h, token, collection.id, { query: 'bilarna återbetalningar', mode: 'keyword' });
    expect(before.body.data).toEqual([]);

    const patched = await api(h, 'PATCH', `/api/v1/collections/${collection.id}`, { token, json: { language: 'swedish' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({ id: collection.id, language: 'swedish', job: { kind: 'reindex_collection' } });
    // Search while the job may still run: never a 5xx (api() asserts it), whatever it finds.
    for (const mode of ['hybrid', 'keyword', 'vector']) expect((await search(h, token, collection.id, { query: 'bilarna', mode })).status).toBe(200);

    const job = await waitForJob(h, token, patched.body.job.id);
    expect(job).toMatchObject({ id: patched.body.job.id, kind: 'reindex_collection', status: 'completed', progress: 1 });
    const after = await search(h, token, collection.id, { query: 'bilarna återbetalningar', mode: 'keyword' });
    expect(after.body.data).toHaveLength(1);
    expect(after.body.data[0].text).toContain('Bilen står');
  });
});

describe.each(await testDatabaseTargets())('ATRIUM_DEFAULT_LANGUAGE over HTTP on $name', (target) => {
  let h: KnowledgeHarness;

  beforeAll(async () => {
    // What startServer passes from loadConfig's `defaultLanguage` (config.test.ts reads the variable).
    h = await openKnowledgeHarness(target, { settings: { defaultLanguage: 'german' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sets the language of collections created without one', async () => {
    const spaceId = (await createSpace(h.app, h.tenant.token)).id;
    expect(await createCollection(h, h.tenant.token, spaceId, { name: 'Implicit' })).toMatchObject({ language: 'german' });
    expect(await createCollection(h, h.tenant.token, spaceId, { name: 'Explicit', language: 'english' })).toMatchObject({ language: 'english' });
  });
});
