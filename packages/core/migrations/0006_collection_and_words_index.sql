-- Keyword search filters by collection and matches words in one GIN index (ADR 0017):
-- btree_gin lets a GIN index hold the uuid column beside the tsvector. Both PostgreSQL
-- (contrib) and PGlite (loaded with the client) provide the extension.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "chunks_search_vector_idx";--> statement-breakpoint
CREATE INDEX "chunks_search_idx" ON "chunks" USING gin ("collection_id","search_vector");
