-- BM25 postings read from the index alone (ADR 0024): the key of chunk_terms carries tf and
-- the chunk's length, so a term's postings are an index-only scan once the heap pages are
-- all-visible (autovacuum on PostgreSQL; on PGlite the store vacuums chunk_terms after
-- ingestion). Reading each posting from the heap cost a random page per posting (a long
-- ArguAna question: 17 000 postings, 16 000 heap pages, 118 ms of 138 on PGlite).
ALTER TABLE chunk_terms DROP CONSTRAINT chunk_terms_pkey;--> statement-breakpoint
ALTER TABLE chunk_terms ADD CONSTRAINT chunk_terms_pkey PRIMARY KEY (collection_id, lexeme, chunk_id) INCLUDE (tf, chunk_length);
