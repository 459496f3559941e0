import { sql, type SQL } from 'drizzle-orm';
import type { AtriumDb } from './connect.js';
import { executePrepared } from './repositories/prepared.js';

/**
 * The precision of the vectors an HNSW graph holds (ADR 0016). On PostgreSQL, half
 * precision: a smaller index and faster searches and builds (ADR 0015). On PGlite, full:
 * WebAssembly has no half-precision instructions, so pgvector converts every half in
 * software there, which made inserts 6× and searches 2.3× slower than over `vector`.
 */
export type GraphPrecision = 'half' | 'full';

export const graphPrecisionFor = (driver: 'postgres' | 'pglite'): GraphPrecision => (driver === 'pglite' ? 'full' : 'half');

/** pgvector's HNSW takes `vector` up to 2000 dimensions and `halfvec` up to 4000. */
const FULL_PRECISION_MAX_DIMS = 2000;

/** The type a graph for `dims` dimensions holds; query and index must cast to the same. */
export const graphType = (dims: number, precision: GraphPrecision): 'vector' | 'halfvec' =>
  precision === 'full' && dims <= FULL_PRECISION_MAX_DIMS ? 'vector' : 'halfvec';

export const dimensionsLiteral = (dims: number): SQL => {
  if (!Number.isInteger(dims) || dims < 1 || dims > 16000) throw new Error(`Invalid embedding dimension ${dims}`);
  return sql.raw(String(dims));
};

const indexName = (dims: number) => `chunks_embedding_hnsw_${dims}`;

/** The partial HNSW index over the chunks of one dimension (ADR 0007). */
export const createVectorIndex = (dims: number, precision: GraphPrecision): SQL => {
  const type = graphType(dims, precision);
  return sql`create index if not exists ${sql.raw(indexName(dims))} on chunks using hnsw ((embedding::${sql.raw(type)}(${dimensionsLiteral(dims)})) ${sql.raw(`${type}_cosine_ops`)}) where embedding_dims = ${dimensionsLiteral(dims)}`;
};

/**
 * Rebuilds the per-dimension HNSW indexes that hold another type than `precision` asks
 * for (a database made by a version that chose differently, e.g. PGlite data from before
 * ADR 0016). Returns the names rebuilt. Takes as long as building them did.
 */
export const alignVectorIndexes = async (db: AtriumDb, precision: GraphPrecision): Promise<string[]> => {
  const { rows: found } = await executePrepared<{ indexname: string; indexdef: string }>(
    db,
    sql`
      select indexname, indexdef from pg_indexes
      where schemaname = current_schema() and tablename = 'chunks' and indexname ~ '^chunks_embedding_hnsw_[0-9]+$'`,
  );
  const rebuilt: string[] = [];
  for (const { indexname, indexdef } of found) {
    const dims = Number(/(\d+)$/.exec(indexname)![1]);
    const wanted = graphType(dims, precision);
    if (indexdef.includes(`${wanted}_cosine_ops`)) continue;
    await db.transaction(async (tx) => {
      await tx.execute(sql`drop index ${sql.raw(indexname)}`);
      await tx.execute(createVectorIndex(dims, precision));
    });
    rebuilt.push(indexname);
  }
  return rebuilt;
};
