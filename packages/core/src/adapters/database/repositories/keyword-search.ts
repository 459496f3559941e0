import { sql, type SQL } from 'drizzle-orm';
import { DEFAULT_LANGUAGE, isTextSearchLanguage, type TextSearchLanguage } from '../../../domain/knowledge.js';
import type { KeywordQuery } from '../../../ports/index.js';
import type { AtriumDb } from '../connect.js';
import { executePrepared, uuidList } from './prepared.js';

/** BM25 parameters and the bounds that keep one keyword search's cost flat (ADR 0024). */
export interface Bm25Tuning {
  /** Term-frequency saturation (default 1.2, Robertson's; chosen on NFCorpus dev, ADR 0024). */
  bm25K1?: number;
  /** Length normalisation, 0 (none) to 1 (full) (default 0.75, Robertson's; chosen on NFCorpus dev). */
  bm25B?: number;
  /**
   * Query terms are scored exactly from their postings, rarest first, while together they
   * have at most this many postings (default 5 000), after the rarest that fill `keywordRescored`.
   */
  keywordExactPostings?: number;
  /**
   * The best this many chunks by those terms get the remaining (common) terms added from
   * their own full-text vectors (default 100; at least the search's limit).
   */
  keywordRescored?: number;
}

/** Up to this many common terms are looked up per candidate; beyond, candidates' lexemes are scanned. */
const REST_LOOKUP_TERMS = 8;

export const BM25_DEFAULTS = { bm25K1: 1.2, bm25B: 0.75, keywordExactPostings: 5_000, keywordRescored: 100 } as const;

/**
 * Okapi BM25 with Lucene's idf, ln(1 + (N − df + 0.5) / (df + 0.5)), over the postings and
 * statistics that triggers keep (migration 0008). Several collections are scored with their
 * combined statistics. A query term repeated counts once per occurrence.
 *
 * Cost is bounded by design rather than by dropping terms. The query's terms are taken
 * rarest first until their postings could fill the candidates (so a page is never short
 * while chunks match), then while they add up to at most `keywordExactPostings`; their
 * contribution is summed from the postings (one index range per term) for every chunk
 * holding them. The best `keywordRescored` chunks by that partial score then get the
 * contribution of the remaining, most common terms (a few: one postings-key lookup per
 * chunk and term; many: one pass over each chunk's own lexemes): those
 * terms have the lowest idf and cannot lift a chunk that holds none of the rarer ones far.
 * When all the terms fit the budget, which is the usual case for questions on an
 * assistant's collections, the ranking is exact. Returns chunk ids and scores (of this
 * tenant's chunks); the caller reads the text of those it keeps.
 */
export const bm25Search = async (
  db: AtriumDb,
  tenantId: string,
  tuning: Bm25Tuning,
  input: KeywordQuery,
  languages: readonly TextSearchLanguage[],
): Promise<Bm25Row[]> => (await executePrepared<Bm25Row>(db, bm25Statement(tenantId, tuning, input, languages))).rows;

/** A ranked chunk; the best `vectorsOfBest` also carry their collection and vector (as text). */
export interface Bm25Row {
  id: string;
  score: number | string;
  collection_id: string | null;
  embedding: string | null;
}

/**
 * The statement of `bm25Search` (for EXPLAIN in tests and benchmarks). `languages` are the
 * distinct languages of the collections searched (ADR 0037). One language, the usual case
 * (an assistant's collections): the question is analysed once, in it. Several: the
 * collections' languages are read from their rows, the question is analysed once per
 * language, and every collection is looked up with its own language's lexemes only (q:
 * collection, lexeme); a lexeme several collections share is one term with their summed
 * document frequency: one BM25 over the union, as for a single language. The single
 * language statement is kept apart because the pairs cost its plan dearly (a 200-word
 * question on PGlite: tens of ms became seconds when every search went through them).
 */
export const bm25Statement = (
  tenantId: string,
  tuning: Bm25Tuning,
  { collectionIds, query, limit, vectorsOfBest = 0 }: KeywordQuery,
  languages: readonly TextSearchLanguage[] = [DEFAULT_LANGUAGE],
): SQL => {
  const k1 = tuning.bm25K1 ?? BM25_DEFAULTS.bm25K1;
  const b = tuning.bm25B ?? BM25_DEFAULTS.bm25B;
  const budget = tuning.keywordExactPostings ?? BM25_DEFAULTS.keywordExactPostings;
  const rescored = Math.max(limit, tuning.keywordRescored ?? BM25_DEFAULTS.keywordRescored);
  const inCollections = (column: SQL) => sql`${column} in (${uuidList(collectionIds)})`;
  // BM25's term weight for tf occurrences in a chunk of `len` lexemes (Lucene's form with (k1 + 1)).
  const saturated = (tf: SQL, len: SQL) =>
    sql`${tf} * ${k1 + 1}::float8 / (${tf} + ${k1}::float8 * (1 - ${b}::float8 + ${b}::float8 * ${len} / totals.avgdl))`;
  const [only] = languages;
  const single = languages.length === 1 && only !== undefined && isTextSearchLanguage(only);
  // The question's lexemes, and (several languages) each collection's own.
  const questionTerms = single
    ? sql`
    q as (
      select u.lexeme, coalesce(array_length(u.positions, 1), 1) as qtf
      from unnest(to_tsvector(${only}::regconfig, ${query})) u
    ),`
    : sql`
    cl as materialized (
      select c.id as collection_id, c.language
      from collections c
      where ${inCollections(sql`c.id`)} and c.tenant_id = ${tenantId}
    ),
    ql as materialized (
      select l.language, u.lexeme, coalesce(array_length(u.positions, 1), 1) as qtf
      from (select distinct language from cl) l
      cross join lateral unnest(to_tsvector(l.language::regconfig, ${query})) u
    ),
    pairs as materialized (
      select cl.collection_id, ql.lexeme, ql.qtf from cl join ql on ql.language = cl.language
    ),
    q as (
      select lexeme, max(qtf) as qtf from pairs group by lexeme
    ),`;
  // Several languages: a collection's statistics and postings count only for its own
  // lexemes. Uncorrelated, so PostgreSQL hashes the pairs once (a correlated EXISTS
  // scanned them for every posting: seconds for a 200-word question).
  const ownLexeme = (collection: SQL, lexeme: SQL) =>
    single ? sql`` : sql`and (${collection}, ${lexeme}) in (select collection_id, lexeme from pairs)`;
  // Prepared (the statement text depends only on the number of collections and on whether
  // they share a language): planning is a large share of a short statement's cost.
  return sql`
    with ${questionTerms}
    totals as materialized (
      select coalesce(sum(s.chunk_count), 0)::float8 as n,
             greatest(coalesce(sum(s.lexeme_count)::float8 / nullif(sum(s.chunk_count), 0), 1), 1) as avgdl
      from collection_search_stats s
      where ${inCollections(sql`s.collection_id`)}
    ),
    terms as materialized (
      select q.lexeme, sum(t.df) as df, q.qtf * ln(1 + (totals.n - sum(t.df) + 0.5) / (sum(t.df) + 0.5)) as weight,
             sum(sum(t.df)) over (order by sum(t.df), q.lexeme) as running
      from q
      join collection_term_stats t on t.lexeme = q.lexeme and ${inCollections(sql`t.collection_id`)} ${ownLexeme(sql`t.collection_id`, sql`t.lexeme`)}
      cross join totals
      where t.df > 0
      group by q.lexeme, q.qtf, totals.n
    ),
    -- Scored exactly: the rarest terms until they can fill the candidates, then more while
    -- the budget lasts. The rest are scored for the best candidates only (below).
    exact as (
      select lexeme, weight from terms where running - df < ${rescored} or running <= ${budget}
    ),
    partial as materialized (
      select p.chunk_id, p.collection_id, max(p.chunk_length) as len,
             sum(e.weight * ${saturated(sql`p.tf`, sql`p.chunk_length`)}) as score
      from exact e
      join chunk_terms p on p.lexeme = e.lexeme and ${inCollections(sql`p.collection_id`)} ${ownLexeme(sql`p.collection_id`, sql`p.lexeme`)}
      cross join totals
      group by p.chunk_id, p.collection_id
      order by score desc, p.chunk_id
      limit ${rescored}
    ),
    -- The common terms' weight for each candidate: with a few such terms, one lookup of the
    -- postings' key per candidate and term; with many (a long question), one pass over each
    -- candidate's own lexemes, which then costs less than the lookups.
    rest_terms as materialized (
      select lexeme, weight from terms where not (running - df < ${rescored} or running <= ${budget})
    ),
    rest as (
      select pa.chunk_id, sum(r.weight * ${saturated(sql`p.tf`, sql`pa.len`)}) as score
      from partial pa
      join rest_terms r on true
      join chunk_terms p on p.collection_id = pa.collection_id and p.lexeme = r.lexeme and p.chunk_id = pa.chunk_id ${ownLexeme(sql`pa.collection_id`, sql`r.lexeme`)}
      cross join totals
      where (select count(*) from rest_terms) <= ${REST_LOOKUP_TERMS}
      group by pa.chunk_id
      union all
      -- (A lateral subquery: each candidate's tsvector is unnested once whatever the join order.)
      select pa.chunk_id, own.score
      from partial pa
      cross join totals
      join chunks c on c.id = pa.chunk_id
      cross join lateral (
        select sum(r.weight * ${saturated(sql`coalesce(array_length(u.positions, 1), 1)`, sql`pa.len`)}) as score
        from unnest(c.search_vector) u
        join rest_terms r on r.lexeme = u.lexeme ${ownLexeme(sql`c.collection_id`, sql`u.lexeme`)}
      ) own
      where (select count(*) from rest_terms) > ${REST_LOOKUP_TERMS}
    ),
    best as materialized (
      select pa.chunk_id, pa.score + coalesce(r.score, 0) as score
      from partial pa left join rest r on r.chunk_id = pa.chunk_id
      order by score desc, pa.chunk_id
      limit ${limit}
    )
    select b.chunk_id as id, b.score,
           case when b.rank <= ${vectorsOfBest} then c.collection_id end as collection_id,
           case when b.rank <= ${vectorsOfBest} then c.embedding::text end as embedding
    from (select best.*, row_number() over (order by best.score desc, best.chunk_id) as rank from best) b
    join chunks c on c.id = b.chunk_id and c.tenant_id = ${tenantId}
    order by b.score desc, b.chunk_id`;
};
