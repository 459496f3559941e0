-- Per-collection text-search language (ADR 0037).
--
-- A chunk's full-text vector is computed with its own text-search configuration, held by
-- the chunk as a name (migration 0014 adds the column and makes search_vector use this
-- function). A generated column needs an immutable expression and the cast of a name to
-- regconfig is only stable (it looks the name up), hence this wrapper. It is safe to call
-- immutable here: the names it is given are PostgreSQL's built-in configurations, which
-- live in pg_catalog, are found whatever the search_path (pg_restore's empty one too) and
-- never change meaning. Not a regconfig column: pg_upgrade refuses tables holding reg*
-- values other than regclass, regrole and regtype.
CREATE FUNCTION atrium_search_vector(config text, heading text, body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector(config::regconfig, coalesce(heading, '')), 'A') || setweight(to_tsvector(config::regconfig, body), 'B') $$;
--> statement-breakpoint
-- Re-indexing a collection in another language updates its chunks' language, which
-- recomputes their full-text vectors: the BM25 postings and statistics (migration 0008)
-- follow here, in the same transaction. Only rows whose vector changed move postings. A
-- column list (UPDATE OF) cannot be combined with transition tables, so the filter is the
-- join below. Statements, in the order of atrium_chunks_inserted: the collection's
-- statistics row first (its lock serialises writers of one collection), then the old
-- postings out, then the new ones in.
CREATE FUNCTION atrium_chunks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE collection_search_stats s
    SET lexeme_count = s.lexeme_count + d.delta
    FROM (
      SELECT o.collection_id,
             coalesce(sum((SELECT sum(coalesce(array_length(u.positions, 1), 1)) FROM unnest(n.search_vector) u)), 0)
           - coalesce(sum((SELECT sum(coalesce(array_length(u.positions, 1), 1)) FROM unnest(o.search_vector) u)), 0) AS delta
      FROM old_chunks o JOIN new_chunks n ON n.id = o.id
      WHERE o.search_vector IS DISTINCT FROM n.search_vector
      GROUP BY o.collection_id
    ) d
    WHERE s.collection_id = d.collection_id;
  WITH o AS MATERIALIZED (
    SELECT o.collection_id, u.lexeme, o.id AS chunk_id
    FROM old_chunks o JOIN new_chunks n ON n.id = o.id, unnest(o.search_vector) u
    WHERE o.search_vector IS DISTINCT FROM n.search_vector
  ),
  postings AS (
    DELETE FROM chunk_terms p USING o
    WHERE p.collection_id = o.collection_id AND p.lexeme = o.lexeme AND p.chunk_id = o.chunk_id
  )
  UPDATE collection_term_stats t SET df = t.df - g.n
    FROM (SELECT collection_id, lexeme, count(*) AS n FROM o GROUP BY collection_id, lexeme) g
    WHERE t.collection_id = g.collection_id AND t.lexeme = g.lexeme;
  WITH p AS MATERIALIZED (
    SELECT n.collection_id, u.lexeme, n.id AS chunk_id, coalesce(array_length(u.positions, 1), 1) AS tf,
           sum(coalesce(array_length(u.positions, 1), 1)) OVER (PARTITION BY n.id) AS chunk_length
    FROM new_chunks n JOIN old_chunks o ON o.id = n.id, unnest(n.search_vector) u
    WHERE o.search_vector IS DISTINCT FROM n.search_vector
  ),
  postings AS (INSERT INTO chunk_terms (collection_id, lexeme, chunk_id, tf, chunk_length) SELECT * FROM p)
  INSERT INTO collection_term_stats AS t (collection_id, lexeme, df)
    SELECT collection_id, lexeme, count(*) FROM p GROUP BY collection_id, lexeme ORDER BY collection_id, lexeme
    ON CONFLICT (collection_id, lexeme) DO UPDATE SET df = t.df + excluded.df;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER chunks_bm25_update AFTER UPDATE ON chunks REFERENCING OLD TABLE AS old_chunks NEW TABLE AS new_chunks
  FOR EACH STATEMENT EXECUTE FUNCTION atrium_chunks_updated();
