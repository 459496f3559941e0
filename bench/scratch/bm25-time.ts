import pg from 'pg';
import { readFileSync } from 'node:fs';
import { PgDialect } from 'drizzle-orm/pg-core';
import { cpuMsOf } from '../lib/common.js';
import { bm25Statement } from '../../packages/core/src/adapters/database/repositories/keyword-search.js';

const { tenantId, collectionId, questions } = JSON.parse(readFileSync('/tmp/bm25prof.json', 'utf8'));
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/bm25prof' });
await client.connect();
const dialect = new PgDialect();
if (process.env.PCM) await client.query('set plan_cache_mode = ' + process.env.PCM);
const tuning = JSON.parse(process.env.TUNING ?? '{}');
const limit = Number(process.env.LIMIT ?? 100);
const times: { q: string; ms: number }[] = [];
const pid = (await client.query('select pg_backend_pid() as p')).rows[0].p;
let cpu0 = 0;
for (let pass = 0; pass < 2; pass++) for (const q of questions as string[]) {
  const st = dialect.sqlToQuery(bm25Statement(tenantId, tuning, { collectionIds: [collectionId], query: q, limit }));
  const t = performance.now();
  await client.query({ name: 'bm25', text: st.sql, values: st.params });
  if (pass) times.push({ q, ms: performance.now() - t });
  if (!pass && q === questions.at(-1)) cpu0 = cpuMsOf(pid)!;
}
console.log('backend cpu ms/query', ((cpuMsOf(pid)! - cpu0) / questions.length).toFixed(2));
const s = times.map((t) => t.ms).sort((a, b) => a - b);
console.log('p50', s[Math.floor(s.length * 0.5)]!.toFixed(2), 'p95', s[Math.floor(s.length * 0.95)]!.toFixed(2), 'mean', (s.reduce((a, b) => a + b) / s.length).toFixed(2));
times.sort((a, b) => b.ms - a.ms);
for (const t of times.slice(0, 5)) console.log(t.ms.toFixed(1), t.q);
if (process.env.EXPLAIN) {
  const st = dialect.sqlToQuery(bm25Statement(tenantId, tuning, { collectionIds: [collectionId], query: process.env.EXPLAIN, limit }));
  const r = await client.query({ text: 'explain (analyze, buffers) ' + st.sql, values: st.params });
  console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
}
await client.end();
