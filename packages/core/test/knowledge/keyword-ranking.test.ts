/**
 * Keyword search ranks at most `keywordMaxRanked` matches (ADR 0017): a question whose
 * words are in most of a large table must not rank all of it. Observable through which
 * chunk comes first: the best-ranked match is only found when every match is ranked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseStore } from '../../src/adapters/database/store.js';
import { graphPrecisionFor } from '../../src/adapters/database/vector-index.js';
import { testDatabaseTargets } from '../../src/test/index.js';
import { addSyntheticDocument, newTenant, openHarness, type Harness } from '../helpers.js';

const DIMS = 384;
const CHUNKS = 30;

describe.each(await testDatabaseTargets())('keyword ranking is bounded, on $name', (target) => {
  let h: Harness;
  let tenantId: string;
  let collectionId: string;

  beforeAll(async () => {
    h = await openHarness(target, { runJobs: false });
    const tenant = await newTenant(h.core);
    tenantId = tenant.tenantId;
    const space = await h.core.spaces.create(tenant.actor, { name: 'Ranking' });
    collectionId = (await h.core.collections.create(tenant.actor, space.id, { name: 'Alphas' })).id;
    // Chunk i says "alpha" i + 1 times: the later the chunk, the higher it ranks.
    const chunks = Array.from({ length: CHUNKS }, (_, ordinal) => ({
      text: `${Array.from({ length: ordinal + 1 }, () => 'alpha').join(' ')} filler words here`,
      embedding: Array.from({ length: DIMS }, (_, i) => (i === ordinal ? 1 : 0)),
    }));
    await addSyntheticDocument(h, tenantId, { spaceId: space.id, collectionId }, chunks);
  });
  afterAll(async () => {
    await h?.close();
  });

  const search = (keywordMaxRanked?: number) =>
    createDatabaseStore(h.atrium.database.db, { graphPrecision: graphPrecisionFor(h.atrium.database.driver), keywordMaxRanked })
      .forTenant(tenantId)
      .chunks.searchKeyword({ collectionIds: [collectionId], terms: ['alpha'], limit: 5 });

  it('under the cap every match is ranked: the chunk with the most "alpha" comes first', async () => {
    const hits = await search();
    expect(hits).toHaveLength(5);
    expect(hits[0]!.text.split(' ').filter((w) => w === 'alpha')).toHaveLength(CHUNKS);
    expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
  });

  it('past the cap only that many matches are ranked, so the best one can be missed', async () => {
    const hits = await search(3);
    expect(hits).toHaveLength(3);
    const alphas = hits.map((hit) => hit.text.split(' ').filter((w) => w === 'alpha').length);
    expect(Math.max(...alphas)).toBeLessThan(CHUNKS);
  });

  it('a collection asked for twice is searched once: no hit comes back twice', async () => {
    const repos = h.core.context.store.forTenant(tenantId);
    const once = await repos.chunks.searchKeyword({ collectionIds: [collectionId], terms: ['alpha'], limit: 50 });
    const twice = await repos.chunks.searchKeyword({ collectionIds: [collectionId, collectionId], terms: ['alpha'], limit: 50 });
    expect(once).toHaveLength(CHUNKS);
    expect(twice.map((hit) => hit.chunkId)).toEqual(once.map((hit) => hit.chunkId));
  });
});
