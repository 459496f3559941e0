-- BM25's statistics (ADR 0024) are kept by statement-level triggers on chunks, in the
-- transaction that writes or deletes the chunks, whatever deletes them (re-ingestion, a
-- document or collection deleted through a cascade). Plain PL/pgSQL with transition
-- tables: both PostgreSQL 15 and PGlite run it, no extension needed.
--
-- The collection's row in collection_search_stats is written first: its row lock
-- serialises concurrent writers of one collection, so their upserts of
-- collection_term_stats cannot deadlock by taking lexeme rows in different orders.
CREATE FUNCTION atrium_chunks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO collection_search_stats AS s (collection_id, chunk_count, lexeme_count)
    SELECT n.collection_id, count(DISTINCT n.id), coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)
    FROM new_chunks n LEFT JOIN LATERAL unnest(n.search_vector) u ON true
    GROUP BY n.collection_id ORDER BY n.collection_id
    ON CONFLICT (collection_id) DO UPDATE
      SET chunk_count = s.chunk_count + excluded.chunk_count, lexeme_count = s.lexeme_count + excluded.lexeme_count;
  WITH p AS MATERIALIZED (
    SELECT n.collection_id, u.lexeme, n.id AS chunk_id, coalesce(array_length(u.positions, 1), 1) AS tf,
           sum(coalesce(array_length(u.positions, 1), 1)) OVER (PARTITION BY n.id) AS chunk_length
    FROM new_chunks n, unnest(n.search_vector) u
  ),
  postings AS (INSERT INTO chunk_terms (collection_id, lexeme, chunk_id, tf, chunk_length) SELECT * FROM p)
  INSERT INTO collection_term_stats AS t (collection_id, lexeme, df)
    SELECT collection_id, lexeme, count(*) FROM p GROUP BY collection_id, lexeme ORDER BY collection_id, lexeme
    ON CONFLICT (collection_id, lexeme) DO UPDATE SET df = t.df + excluded.df;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A lexeme whose df falls to 0 keeps its row (search ignores it): deleting it in the same
-- statement as the update is not possible, and a second pass would cost every delete.
CREATE FUNCTION atrium_chunks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collection_search_stats s
    SET chunk_count = s.chunk_count - d.n, lexeme_count = s.lexeme_count - d.len
    FROM (SELECT o.collection_id, count(DISTINCT o.id) AS n, coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0) AS len
          FROM old_chunks o LEFT JOIN LATERAL unnest(o.search_vector) u ON true
          GROUP BY o.collection_id) d
    WHERE s.collection_id = d.collection_id;
  -- Postings go through chunk_terms' key (collection, lexeme, chunk): the chunk's own lexemes.
  WITH o AS MATERIALIZED (
    SELECT o.collection_id, u.lexeme, o.id AS chunk_id FROM old_chunks o, unnest(o.search_vector) u
  ),
  postings AS (
    DELETE FROM chunk_terms p USING o
    WHERE p.collection_id = o.collection_id AND p.lexeme = o.lexeme AND p.chunk_id = o.chunk_id
  )
  UPDATE collection_term_stats t SET df = t.df - g.n
    FROM (SELECT collection_id, lexeme, count(*) AS n FROM o GROUP BY collection_id, lexeme) g
    WHERE t.collection_id = g.collection_id AND t.lexeme = g.lexeme;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER chunks_bm25_insert AFTER INSERT ON chunks REFERENCING NEW TABLE AS new_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION atrium_chunks_inserted();
--> statement-breakpoint
CREATE TRIGGER chunks_bm25_delete AFTER DELETE ON chunks REFERENCING OLD TABLE AS old_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION atrium_chunks_deleted();
--> statement-breakpoint
-- Chunks stored before this migration.
INSERT INTO chunk_terms (collection_id, lexeme, chunk_id, tf, chunk_length)
  SELECT c.collection_id, u.lexeme, c.id, coalesce(array_length(u.positions, 1), 1),
         sum(coalesce(array_length(u.positions, 1), 1)) OVER (PARTITION BY c.id)
  FROM chunks c, unnest(c.search_vector) u;
--> statement-breakpoint
INSERT INTO collection_term_stats (collection_id, lexeme, df)
  SELECT collection_id, lexeme, count(*) FROM chunk_terms GROUP BY collection_id, lexeme;
--> statement-breakpoint
INSERT INTO collection_search_stats (collection_id, chunk_count, lexeme_count)
  SELECT c.collection_id, count(*), coalesce(sum(l.len), 0)
  FROM chunks c
  LEFT JOIN (SELECT chunk_id, sum(tf) AS len FROM chunk_terms GROUP BY chunk_id) l ON l.chunk_id = c.id
  GROUP BY c.collection_id;
