-- Keep embeddings in the heap row instead of the TOAST table (pgvector's type defaults to
-- EXTERNAL storage). Chunks of ~1.6 KB of text plus a 1.5 KB vector pass the 2 KB TOAST
-- threshold, and an out-of-line vector costs an extra index lookup per row in every exact
-- scan: 26 ms against 8 ms for 10k chunks (bench/RESULTS.md, ADR 0014). With MAIN the text,
-- metadata and tsvector are compressed or moved out first. Applies to rows written from now
-- on; `VACUUM FULL chunks` rewrites older ones.
ALTER TABLE "chunks" ALTER COLUMN "embedding" SET STORAGE MAIN;
