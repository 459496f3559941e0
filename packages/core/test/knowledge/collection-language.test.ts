/**
 * Per-collection text-search language (ADR 0037): chunks are indexed, and questions
 * analysed, with the collection's PostgreSQL configuration, so Swedish and German
 * inflections find each other; english stays the default (or the settings' default); a
 * language change re-indexes in the background as a `reindex_collection` job, after which
 * the BM25 postings and statistics equal a recompute from the chunks; several collections
 * in different languages are searched together. Jobs are run by hand (a queue that only
 * records), so each test decides when the re-index happens.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/identity.js';
import type { JobRunContext } from '../../src/ports/index.js';
import { retrieve } from '../../src/retrieval/search.js';
import { toQueued } from '../../src/services/jobs/jobs.js';
import { testDatabaseTargets } from '../../src/test/index.js';
import { expectAtriumError, newTenant, openHarness, recordingQueue, type Harness } from '../helpers.js';

const run = (): JobRunContext => ({ attempt: 1, finalAttempt: true, signal: new AbortController().signal, progress: async () => {} });

// Each paragraph its own chunk (64 tokens per chunk); PostgreSQL's swedish stemmer maps
// bilarna/bilen/bil to "bil", återbetalningar/återbetalningen to "återbetalning",
// kundtjänsten/kundtjänst to "kundtjänst", fakturorna/fakturor to "faktur" (but not "fakturan") (checked on
// PostgreSQL 15 and PGlite alike). It keeps "huset" apart from "husen"/"hus", so that
// pair is no test of stemming.
const SWEDISH = [
  'Bilen står parkerad i garaget bakom kontoret. Nyckeln hänger i receptionen och får lånas ut under arbetstid.',
  'Återbetalningen görs inom trettio dagar efter att varan har kommit tillbaka till lagret i Göteborg.',
  'Kundtjänst svarar på mejl vardagar mellan åtta och fem. Ring växeln om ärendet är brådskande.',
  'Fakturor skickas varje månad som PDF. Den ska betalas senast den sista vardagen i månaden.',
].join('\n\n');

// German: Rechnungen/Rechnung → "rechnung", Verträge/Vertrag → "vertrag", Lieferungen → "liefer".
const GERMAN = [
  'Die Rechnung wird jeden Monat per E-Mail verschickt und ist innerhalb von vierzehn Tagen zu bezahlen.',
  'Der Vertrag kann mit einer Frist von drei Monaten zum Ende des Quartals schriftlich gekündigt werden.',
  'Eine Lieferung ins Ausland dauert in der Regel fünf bis sieben Werktage, innerhalb Deutschlands zwei.',
].join('\n\n');

const ENGLISH = [
  'Refunds are paid back to the original card within thirty days of the return arriving at the warehouse.',
  'The parking garage behind the office has twelve spaces for visitors, booked through the front desk.',
].join('\n\n');

describe.each(await testDatabaseTargets())('collection languages on $name', (target) => {
  let h: Harness;
  const queue = recordingQueue();
  let actor: Actor;
  let tenantId: string;
  let spaceId: string;

  beforeAll(async () => {
    h = await openHarness(target, { queue, runJobs: false });
    const tenant = await newTenant(h.core);
    actor = tenant.actor;
    tenantId = tenant.tenantId;
    spaceId = (await h.core.spaces.create(actor, { name: 'Languages' })).id;
  });
  afterAll(async () => {
    await h?.close();
  });

  const repos = () => h.core.context.store.forTenant(tenantId);
  const rows = async <T>(statement: ReturnType<typeof sql>) =>
    ((await h.atrium.database.db.execute(statement)) as unknown as { rows: T[] }).rows;

  /** A collection holding `text` (one chunk per paragraph), ingested through the ingest_document job. */
  const collectionWith = async (name: string, text: string, language?: string) => {
    const collection = await h.core.collections.create(actor, spaceId, {
      name,
      chunking: { chunkTokens: 64, overlapTokens: 0 },
      ...(language !== undefined && { language }),
    });
    const { job } = await h.core.documents.create(actor, collection.id, { kind: 'text', title: name, text });
    await h.core.jobs.handlers().ingest_document(toQueued(job!), run());
    expect((await repos().jobs.get(job!.id))?.status).toBe('completed');
    return collection;
  };

  /** The texts keyword search finds for `query`, best first (a chunk may hold a few paragraphs). */
  const keyword = async (collectionIds: string[], query: string) =>
    (await repos().chunks.searchKeyword({ collectionIds, query, limit: 10 })).map((hit) => hit.text);

  /**
   * The BM25 bookkeeping of a collection (statistics, document frequencies of lexemes in
   * use, postings) next to the same computed afresh from its chunks' full-text vectors.
   */
  const bookkeeping = async (collectionId: string) => {
    const stored = {
      stats: await rows<{ chunk_count: number; lexeme_count: number }>(sql`
        select chunk_count::int, lexeme_count::int from collection_search_stats where collection_id = ${collectionId}`),
      df: await rows<{ lexeme: string; df: number }>(sql`
        select lexeme, df::int from collection_term_stats where collection_id = ${collectionId} and df > 0 order by lexeme`),
      postings: await rows<{ chunk_id: string; lexeme: string; tf: number; chunk_length: number }>(sql`
        select chunk_id, lexeme, tf::int, chunk_length::int from chunk_terms where collection_id = ${collectionId}
        order by chunk_id, lexeme`),
    };
    const recomputed = {
      stats: await rows<{ chunk_count: number; lexeme_count: number }>(sql`
        select count(distinct c.id)::int as chunk_count, coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)::int as lexeme_count
        from chunks c left join lateral unnest(c.search_vector) u on true where c.collection_id = ${collectionId}`),
      df: await rows<{ lexeme: string; df: number }>(sql`
        select u.lexeme, count(*)::int as df from chunks c, unnest(c.search_vector) u
        where c.collection_id = ${collectionId} group by u.lexeme order by u.lexeme`),
      postings: await rows<{ chunk_id: string; lexeme: string; tf: number; chunk_length: number }>(sql`
        select c.id as chunk_id, u.lexeme, coalesce(array_length(u.positions, 1), 1)::int as tf,
               (sum(coalesce(array_length(u.positions, 1), 1)) over (partition by c.id))::int as chunk_length
        from chunks c, unnest(c.search_vector) u where c.collection_id = ${collectionId} order by c.id, u.lexeme`),
    };
    return { stored, recomputed };
  };

  const expectConsistent = async (collectionId: string) => {
    const { stored, recomputed } = await bookkeeping(collectionId);
    expect(stored.stats).toEqual(recomputed.stats);
    expect(stored.df).toEqual(recomputed.df);
    expect(stored.postings).toEqual(recomputed.postings);
    expect(recomputed.postings.length).toBeGreaterThan(0);
  };

  const chunkLanguages = async (collectionId: string) =>
    (await rows<{ language: string }>(sql`select distinct language from chunks where collection_id = ${collectionId} order by 1`)).map(
      (r) => r.language,
    );

  it('a collection is english unless it says otherwise', async () => {
    const collection = await collectionWith('Default', ENGLISH);
    expect(collection.language).toBe('english');
    expect((await h.core.collections.get(actor, collection.id)).language).toBe('english');
    expect(await chunkLanguages(collection.id)).toEqual(['english']);
    // English stemming: "refund" finds "Refunds", "booking" finds "booked".
    expect((await keyword([collection.id], 'refund'))[0]).toContain('Refunds are paid');
    expect((await keyword([collection.id], 'booking'))[0]).toContain('The parking garage');
  });

  it('swedish: inflected forms find each other, in chunks and questions', async () => {
    const collection = await collectionWith('Svenska', SWEDISH, 'swedish');
    expect(collection.language).toBe('swedish');
    expect(await chunkLanguages(collection.id)).toEqual(['swedish']);
    expect((await keyword([collection.id], 'bilarna'))[0]).toContain('Bilen står');
    expect((await keyword([collection.id], 'bil'))[0]).toContain('Bilen står');
    expect((await keyword([collection.id], 'återbetalningar'))[0]).toContain('Återbetalningen görs');
    expect((await keyword([collection.id], 'kundtjänsten'))[0]).toContain('Kundtjänst svarar');
    expect((await keyword([collection.id], 'fakturorna'))[0]).toContain('Fakturor skickas');
    // Swedish stop words alone match nothing.
    expect(await keyword([collection.id], 'och i på')).toEqual([]);
    // Hybrid search works on it too.
    const hits = await h.core.collections.search(actor, collection.id, { query: 'Var står bilarna?', topK: 3 });
    expect(hits[0]?.text).toContain('Bilen står');
    await expectConsistent(collection.id);
  });

  it('the same text in an english collection does not match the inflections', async () => {
    const collection = await collectionWith('Swedish text, english index', SWEDISH);
    expect(await keyword([collection.id], 'bilarna')).toEqual([]);
    expect(await keyword([collection.id], 'återbetalningar')).toEqual([]);
  });

  it('german: inflected forms find each other', async () => {
    const collection = await collectionWith('Deutsch', GERMAN, 'german');
    expect(collection.language).toBe('german');
    expect((await keyword([collection.id], 'Rechnungen'))[0]).toContain('Die Rechnung');
    expect((await keyword([collection.id], 'Verträge'))[0]).toContain('Der Vertrag');
    expect((await keyword([collection.id], 'Lieferungen'))[0]).toContain('Eine Lieferung');
    expect(await keyword([collection.id], 'und die der')).toEqual([]);
  });

  it('simple: no stemming at all', async () => {
    const collection = await collectionWith('Simple', ENGLISH, 'simple');
    expect(await keyword([collection.id], 'refund')).toEqual([]);
    expect((await keyword([collection.id], 'refunds'))[0]).toContain('Refunds are paid');
  });

  it('an unknown language is invalid, names the field, and changes nothing', async () => {
    const before = (await h.core.collections.list(actor, spaceId, { limit: 100 })).data.length;
    const error = await expectAtriumError(
      h.core.collections.create(actor, spaceId, { name: 'Klingon', language: 'klingon' }),
      'invalid',
      'validation_failed',
    );
    expect(error.details?.errors).toEqual([{ path: 'language', message: expect.stringContaining('swedish') }]);
    // Not a configuration name at all (a SQL fragment is just an unknown name).
    await expectAtriumError(h.core.collections.create(actor, spaceId, { name: 'X', language: "english'::regconfig" }), 'invalid');
    // A configuration PostgreSQL 15 lacks (PGlite has it) is not offered either.
    await expectAtriumError(h.core.collections.create(actor, spaceId, { name: 'X', language: 'estonian' }), 'invalid');
    expect((await h.core.collections.list(actor, spaceId, { limit: 100 })).data.length).toBe(before);

    const existing = await h.core.collections.create(actor, spaceId, { name: 'Stays english' });
    await expectAtriumError(h.core.collections.update(actor, existing.id, { name: 'Renamed', language: 'English' }), 'invalid');
    const after = await h.core.collections.get(actor, existing.id);
    expect({ name: after.name, language: after.language }).toEqual({ name: 'Stays english', language: 'english' });
  });

  it('a new language re-indexes in a job; search works meanwhile, and uses the new language after', async () => {
    const collection = await collectionWith('Becomes swedish', SWEDISH);
    await expectConsistent(collection.id);
    expect(await keyword([collection.id], 'bilarna')).toEqual([]);

    const enqueuedBefore = queue.enqueued.length;
    const updated = await h.core.collections.update(actor, collection.id, { language: 'swedish' });
    expect(updated.language).toBe('swedish');
    expect(updated.job).toMatchObject({ kind: 'reindex_collection', status: 'queued', payload: { collectionId: collection.id } });
    expect(queue.enqueued.slice(enqueuedBefore)).toEqual([updated.job!.id]);
    // The job is readable like any other.
    expect((await h.core.jobs.get(actor, updated.job!.id)).kind).toBe('reindex_collection');

    // Before the job ran: the chunks are still english, and every mode still answers.
    expect(await chunkLanguages(collection.id)).toEqual(['english']);
    for (const mode of ['keyword', 'vector', 'hybrid'] as const)
      await expect(h.core.collections.search(actor, collection.id, { query: 'Var står bilarna?', mode })).resolves.toBeInstanceOf(Array);

    await h.core.jobs.handlers().reindex_collection(toQueued(updated.job!), run());
    const job = await h.core.jobs.get(actor, updated.job!.id);
    expect({ status: job.status, progress: job.progress }).toEqual({ status: 'completed', progress: 1 });
    expect(await chunkLanguages(collection.id)).toEqual(['swedish']);
    expect((await keyword([collection.id], 'bilarna'))[0]).toContain('Bilen står');
    expect((await keyword([collection.id], 'återbetalningar'))[0]).toContain('Återbetalningen görs');
    await expectConsistent(collection.id);

    // The same language again is no change: no job.
    expect((await h.core.collections.update(actor, collection.id, { language: 'swedish' })).job).toBeNull();
    expect(queue.enqueued.length).toBe(enqueuedBefore + 1);
  });

  it('re-indexing in batches keeps the statistics exact at every step; a second change wins', async () => {
    const collection = await collectionWith('Batches', `${SWEDISH}\n\n${GERMAN}\n\n${ENGLISH}`);
    const total = (await rows<{ n: number }>(sql`select count(*)::int as n from chunks where collection_id = ${collection.id}`))[0]!.n;
    expect(total).toBeGreaterThanOrEqual(4);
    const first = await h.core.collections.update(actor, collection.id, { language: 'german' });
    expect(await repos().chunks.countNotInLanguage(collection.id)).toBe(total);
    expect(await repos().chunks.reindexBatch(collection.id, 2)).toBe(2);
    await expectConsistent(collection.id);
    expect(await chunkLanguages(collection.id)).toEqual(['english', 'german']);
    await expect(keyword([collection.id], 'Rechnungen bilarna refunds')).resolves.toBeInstanceOf(Array);

    // Changed again before the first job finished: both jobs converge on the latest language.
    const second = await h.core.collections.update(actor, collection.id, { language: 'swedish' });
    expect(await repos().chunks.countNotInLanguage(collection.id)).toBe(total);
    await h.core.jobs.handlers().reindex_collection(toQueued(first.job!), run());
    await h.core.jobs.handlers().reindex_collection(toQueued(second.job!), run());
    expect(await chunkLanguages(collection.id)).toEqual(['swedish']);
    expect(await repos().chunks.countNotInLanguage(collection.id)).toBe(0);
    await expectConsistent(collection.id);
    expect((await keyword([collection.id], 'bilarna'))[0]).toContain('Bilen står');
  });

  it('collections in different languages are searched together, each with its own analysis', async () => {
    const sv = await collectionWith('Mixed sv', SWEDISH, 'swedish');
    const de = await collectionWith('Mixed de', GERMAN, 'german');
    const en = await collectionWith('Mixed en', ENGLISH, 'english');
    const texts = (await keyword([sv.id, de.id, en.id], 'bilarna Rechnungen refund')).join('\n');
    expect(texts).toContain('Bilen står');
    expect(texts).toContain('Die Rechnung');
    expect(texts).toContain('Refunds are paid');
    // Each collection's lexemes only: the english analysis of "bilarna" is not looked up
    // in the swedish collection's postings (it would match nothing there anyway), and the
    // swedish one not in the english collection's.
    const only = await keyword([sv.id, en.id], 'bilarna');
    expect(only).toHaveLength(1);
    expect(only[0]).toContain('Bilen står');
    // Shared statistics: the english collection's chunks count in N for the swedish terms.
    expect(await keyword([sv.id, en.id], 'refunds återbetalningar')).toHaveLength(2);

    // Chat's retrieval over all three (hybrid, as an assistant linked to them searches).
    const hits = await retrieve(repos(), h.core.context.embeddings, {
      collections: [sv, de, en],
      query: 'Wo ist die Rechnung? Var står bilarna?',
      topK: 5,
      mode: 'hybrid',
    });
    expect(new Set(hits.slice(0, 2).map((hit) => hit.collectionId))).toEqual(new Set([sv.id, de.id]));
  });
});

describe.each(await testDatabaseTargets())('the default language setting on $name', (target) => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness(target, { runJobs: false, settings: { defaultLanguage: 'swedish' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('new collections take the configured default; a named language still wins', async () => {
    const { actor } = await newTenant(h.core);
    const space = await h.core.spaces.create(actor, { name: 'Default swedish' });
    expect((await h.core.collections.create(actor, space.id, { name: 'Implicit' })).language).toBe('swedish');
    expect((await h.core.collections.create(actor, space.id, { name: 'Explicit', language: 'english' })).language).toBe('english');
  });
});
