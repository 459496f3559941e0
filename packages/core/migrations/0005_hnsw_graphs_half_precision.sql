-- The HNSW graphs hold half-precision vectors (ADR 0015): half the index size, faster
-- searches and builds at the same recall. The per-dimension indexes are made at run time
-- (ensureVectorIndex, ADR 0007), so this rebuilds, in the new form, every one made before:
-- those over `vector(d)`. Indexes over `halfvec` (past 2000 dimensions) are already so.
-- Rebuilding takes as long as building the index did (seconds per 100k chunks).
DO $$
DECLARE
  found record;
  dims int;
BEGIN
  FOR found IN
    SELECT indexname FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = 'chunks'
      AND indexname ~ '^chunks_embedding_hnsw_[0-9]+$' AND indexdef NOT LIKE '%halfvec%'
  LOOP
    dims := substring(found.indexname FROM '([0-9]+)$')::int;
    EXECUTE format('DROP INDEX %I', found.indexname);
    EXECUTE format(
      'CREATE INDEX %I ON chunks USING hnsw ((embedding::halfvec(%s)) halfvec_cosine_ops) WHERE embedding_dims = %s',
      found.indexname, dims, dims);
  END LOOP;
END $$;
