import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
const N = Number(process.env.N ?? 1500), D = 384;
const rnd = (seed: number) => () => ((seed = Math.imul(seed ^ (seed >>> 15), 2246822519) + 0x6b43a9b5 | 0) >>> 0) / 2 ** 32;
const r = rnd(42);
const vecs = Array.from({ length: N }, () => { const v = Array.from({ length: D }, () => r() - 0.5); const n = Math.hypot(...v); return `[${v.map((x) => x / n).join(',')}]`; });
for (const kind of (process.env.KINDS ?? 'none,vector,halfvec').split(',')) {
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('create extension vector; create table c (id serial primary key, embedding vector, dims int not null default 384)');
  if (kind === 'vector') await db.exec('create index on c using hnsw ((embedding::vector(384)) vector_cosine_ops) where dims = 384');
  if (kind === 'halfvec') await db.exec('create index on c using hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) where dims = 384');
  const t = performance.now();
  for (let i = 0; i < N; i += 100) {
    const batch = vecs.slice(i, i + 100);
    await db.query(`insert into c (embedding) select unnest($1::text[])::vector`, [batch]);
  }
  const ms = performance.now() - t;
  const q = vecs[7]!;
  const t2 = performance.now();
  for (let i = 0; i < 50; i++) await db.query(`set hnsw.ef_search = 100; select id from c where dims = 384 order by embedding::${kind === 'none' ? 'vector' : kind}(384) <=> $1 limit 10`.split(';')[1]!, [q]);
  console.log(kind.padEnd(8), `insert ${N}: ${ms.toFixed(0)} ms (${(ms / N).toFixed(2)} ms/row); 50 searches ${(performance.now() - t2).toFixed(0)} ms`);
  await db.close();
}
