-- Embeddings live in pgvector columns; both PostgreSQL and PGlite load the extension here.
CREATE EXTENSION IF NOT EXISTS vector;
