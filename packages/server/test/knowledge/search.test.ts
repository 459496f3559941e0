/**
 * POST /collections/{id}/search over HTTP: the three modes find the obviously relevant
 * document, hits have the documented shape, topK and the query are validated, access
 * follows space roles, and a search never reaches outside its collection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { addMember, createSpace, createTenant, createUser, expectProblem, type LoggedInUser } from '../helpers.js';
import {
  api,
  createCollection,
  fixtureBytes,
  ingestText,
  openKnowledgeHarness,
  search,
  upload,
  type KnowledgeHarness,
} from './helpers.js';

/** Small documents on unrelated topics; each query below has one obvious answer. */
const DOCUMENTS = {
  volcanoes:
    'Volcanoes erupt when magma rises through the crust. Basalt lava flows from shield volcanoes such as Mauna Loa, ' +
    'while pyroclastic flows race down the slopes of stratovolcanoes. Volcanologists watch for ground swelling and sulphur gases.',
  sourdough:
    'Sourdough bread is leavened by a starter of wild yeast and lactic acid bacteria. Feed the starter with flour and water, ' +
    'let the dough ferment overnight, then bake it in a hot Dutch oven until the crust is deep brown.',
  chess:
    'The Sicilian Defence answers 1.e4 with c5. Chess players prize it for its sharp counterattacking positions; ' +
    'the Najdorf variation and the Dragon are its most famous lines, and castling on opposite sides leads to pawn storms.',
  photosynthesis:
    'Photosynthesis takes place in the chloroplasts of plant leaves. Chlorophyll absorbs sunlight, and the plant turns ' +
    'carbon dioxide and water into glucose, releasing oxygen as a by-product of the light reactions.',
  kubernetes:
    'Kubernetes schedules containers in pods across a cluster of nodes. A deployment keeps the desired number of replicas ' +
    'running, the kubelet on every node starts the containers, and services route traffic to healthy pods.',
} as const;
type Topic = keyof typeof DOCUMENTS;

const QUERIES: [string, Topic][] = [
  ['sourdough starter fermentation', 'sourdough'],
  ['volcano magma eruption', 'volcanoes'],
  ['Sicilian Defence chess opening', 'chess'],
  ['chlorophyll photosynthesis sunlight', 'photosynthesis'],
  ['kubernetes pods kubelet', 'kubernetes'],
];
const MODES = ['hybrid', 'vector', 'keyword'] as const;

describe.each(await testDatabaseTargets())('search over HTTP on $name', (target) => {
  let h: KnowledgeHarness;
  let token: string;
  let spaceId: string;
  let collectionId: string;
  /** documentId by topic, in the main collection. */
  const ids = {} as Record<Topic, string>;
  let viewer: LoggedInUser;
  let outsider: LoggedInUser;

  beforeAll(async () => {
    h = await openKnowledgeHarness(target);
    token = h.tenant.token;
    spaceId = (await createSpace(h.app, token)).id;
    collectionId = (await createCollection(h, token, spaceId, { name: 'Topics' })).id;
    for (const [topic, text] of Object.entries(DOCUMENTS) as [Topic, string][]) {
      ids[topic] = (await ingestText(h, token, collectionId, `About ${topic}`, text)).id;
    }
    viewer = await createUser(h, h.tenant, 'member');
    await addMember(h.app, token, spaceId, viewer.id, 'viewer');
    outsider = await createUser(h, h.tenant, 'member'); // in the tenant, not in the space
  });
  afterAll(async () => {
    await h?.close();
  });

  describe.each(MODES)('mode %s', (mode) => {
    it.each(QUERIES)('"%s" finds the %s document first', async (query, topic) => {
      const r = await search(h, token, collectionId, { query, mode, topK: 5 });
      expect(r.status, r.text).toBe(200);
      expect(r.body.data.length).toBeGreaterThan(0);
      expect(r.body.data[0].documentId, JSON.stringify(r.body.data.map((hit: { documentTitle: string }) => hit.documentTitle))).toBe(ids[topic]);
      expect(r.body.data[0].documentTitle).toBe(`About ${topic}`);
      // Best first.
      const scores = r.body.data.map((hit: { score: number }) => hit.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });
  });

  it('hybrid is the default mode (same ranking as asking for hybrid)', async () => {
    const implicit = await search(h, token, collectionId, { query: 'wild yeast dough', topK: 5 });
    const explicit = await search(h, token, collectionId, { query: 'wild yeast dough', topK: 5, mode: 'hybrid' });
    expect(implicit.status).toBe(200);
    expect(implicit.body.data.map((hit: { chunkId: string }) => hit.chunkId)).toEqual(
      explicit.body.data.map((hit: { chunkId: string }) => hit.chunkId),
    );
    expect(implicit.body.data[0].documentId).toBe(ids.sourdough);
  });

  it('hits carry chunkId, documentId, collectionId, documentTitle, text, score and metadata', async () => {
    const r = await search(h, token, collectionId, { query: 'basalt lava', topK: 3 });
    expect(r.status).toBe(200);
    const [hit] = r.body.data;
    expect(hit).toEqual({
      chunkId: expect.any(String),
      documentId: ids.volcanoes,
      collectionId,
      documentTitle: 'About volcanoes',
      text: DOCUMENTS.volcanoes,
      score: expect.any(Number),
      metadata: { headingPath: [], startOffset: 0, endOffset: DOCUMENTS.volcanoes.length },
    });
    expect(Number.isFinite(hit.score)).toBe(true);
    // The chunk id is the one GET /documents/{id}/chunks lists.
    const chunks = await api(h, 'GET', `/api/v1/documents/${ids.volcanoes}/chunks`, { token });
    expect(chunks.body.data.map((c: { id: string }) => c.id)).toContain(hit.chunkId);
  });

  it('respects topK within 1..50', async () => {
    for (const mode of ['hybrid', 'vector'] as const) {
      const one = await search(h, token, collectionId, { query: 'the plant and the containers', mode, topK: 1 });
      expect(one.body.data, mode).toHaveLength(1);
      const three = await search(h, token, collectionId, { query: 'the plant and the containers', mode, topK: 3 });
      expect(three.body.data, mode).toHaveLength(3);
      const fifty = await search(h, token, collectionId, { query: 'the plant and the containers', mode, topK: 50 });
      expect(fifty.status).toBe(200);
      expect(fifty.body.data, mode).toHaveLength(Object.keys(DOCUMENTS).length); // everything there is, no more
    }
    const defaults = await search(h, token, collectionId, { query: 'the plant and the containers', mode: 'vector' });
    expect(defaults.body.data).toHaveLength(5);
  });

  it('refuses topK 0, 51 or a fraction, an empty query and an unknown mode with 422', async () => {
    for (const topK of [0, 51, 2.5, -1]) {
      const r = await search(h, token, collectionId, { query: 'volcano', topK });
      expectProblem(r, 422, 'validation_failed');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('topK');
    }
    const empty = await search(h, token, collectionId, { query: '' });
    expectProblem(empty, 422, 'validation_failed');
    expect(empty.body.errors.map((e: { path: string }) => e.path)).toContain('query');
    const missing = await search(h, token, collectionId, { topK: 3 });
    expectProblem(missing, 422, 'validation_failed');
    const mode = await search(h, token, collectionId, { query: 'volcano', mode: 'semantic' });
    expectProblem(mode, 422, 'validation_failed');
    expect(mode.body.errors.map((e: { path: string }) => e.path)).toContain('mode');
  });

  it('a viewer of the space can search (200) but cannot upload or delete (403)', async () => {
    const r = await search(h, viewer.token, collectionId, { query: 'chess opening' });
    expect(r.status, r.text).toBe(200);
    expect(r.body.data[0].documentId).toBe(ids.chess);
    expect((await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token: viewer.token })).status).toBe(200);

    const before = (await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token })).body.documentCounts.total;
    expectProblem(
      await upload(h, viewer.token, collectionId, { bytes: fixtureBytes('notes.txt'), filename: 'notes.txt', type: 'text/plain' }),
      403,
      'forbidden',
    );
    expectProblem(
      await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token: viewer.token, json: { title: 'x', text: 'Viewer text.' } }),
      403,
      'forbidden',
    );
    expectProblem(await api(h, 'DELETE', `/api/v1/documents/${ids.chess}`, { token: viewer.token }), 403, 'forbidden');
    expectProblem(await api(h, 'POST', `/api/v1/spaces/${spaceId}/collections`, { token: viewer.token, json: { name: 'Mine' } }), 403, 'forbidden');
    const after = (await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token })).body.documentCounts.total;
    expect(after).toBe(before);
  });

  it('a tenant member outside the space gets 404 for the collection, its search and its documents', async () => {
    expectProblem(await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token: outsider.token }), 404, 'not_found');
    expectProblem(await search(h, outsider.token, collectionId, { query: 'volcano' }), 404, 'not_found');
    expectProblem(
      await api(h, 'POST', `/api/v1/collections/${collectionId}/documents`, { token: outsider.token, json: { title: 'x', text: 'Outsider.' } }),
      404,
      'not_found',
    );
    expectProblem(await api(h, 'GET', `/api/v1/documents/${ids.volcanoes}`, { token: outsider.token }), 404, 'not_found');
    expectProblem(await api(h, 'GET', `/api/v1/documents/${ids.volcanoes}/chunks`, { token: outsider.token }), 404, 'not_found');
  });

  it('another tenant gets 404 as well', async () => {
    const other = await createTenant(h);
    expectProblem(await search(h, other.token, collectionId, { query: 'volcano' }), 404, 'not_found');
    expectProblem(await api(h, 'GET', `/api/v1/collections/${collectionId}`, { token: other.token }), 404, 'not_found');
  });

  it('returns only chunks of the searched collection, even when another holds the same text', async () => {
    const twin = (await createCollection(h, token, spaceId, { name: 'Twin' })).id;
    const twinIds = new Set<string>();
    // The same texts (identical content is per collection) plus one only the twin has.
    for (const [topic, text] of Object.entries(DOCUMENTS)) twinIds.add((await ingestText(h, token, twin, `Twin ${topic}`, text)).id);
    const onlyInTwin = await ingestText(h, token, twin, 'Twin only', 'Volcano tourism: guided magma eruption tours on Etna.');
    twinIds.add(onlyInTwin.id);
    const mainIds = new Set(Object.values(ids));

    for (const mode of MODES) {
      for (const [query] of QUERIES) {
        const main = await search(h, token, collectionId, { query, mode, topK: 50 });
        expect(main.body.data.length).toBeGreaterThan(0);
        for (const hit of main.body.data) {
          expect(hit.collectionId, `${mode} ${query}`).toBe(collectionId);
          expect(mainIds.has(hit.documentId), `${mode} ${query}`).toBe(true);
        }
        const inTwin = await search(h, token, twin, { query, mode, topK: 50 });
        expect(inTwin.body.data.length).toBeGreaterThan(0);
        for (const hit of inTwin.body.data) {
          expect(hit.collectionId, `${mode} ${query}`).toBe(twin);
          expect(twinIds.has(hit.documentId), `${mode} ${query}`).toBe(true);
        }
      }
      // The twin's own document is found there, and never from the main collection.
      const tourism = await search(h, token, twin, { query: 'volcano tourism Etna', mode, topK: 1 });
      expect(tourism.body.data[0].documentId, mode).toBe(onlyInTwin.id);
      const fromMain = await search(h, token, collectionId, { query: 'volcano tourism Etna', mode, topK: 50 });
      expect(fromMain.body.data.map((hit: { documentId: string }) => hit.documentId), mode).not.toContain(onlyInTwin.id);
    }
  });
});
