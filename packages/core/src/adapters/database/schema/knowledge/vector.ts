import { customType } from 'drizzle-orm/pg-core';

/**
 * An untyped pgvector column. Collections pin different embedding dimensions, so the
 * column has none; each dimension gets its own partial expression HNSW index
 * (`(embedding::vector(N)) ... WHERE embedding_dims = N`), created when the first
 * collection with that dimension appears.
 */
export const vector = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'vector',
  toDriver: (value) => `[${value.join(',')}]`,
  fromDriver: (value) => (typeof value === 'string' ? (JSON.parse(value) as number[]) : (value as number[])),
});

export const tsvector = customType<{ data: string }>({
  dataType: () => 'tsvector',
});
