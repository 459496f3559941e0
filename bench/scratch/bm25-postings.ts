import pg from 'pg';
import { readFileSync } from 'node:fs';
const { collectionId, questions } = JSON.parse(readFileSync('/tmp/bm25prof.json', 'utf8'));
const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/bm25prof' });
await client.connect();
const rows: { exact: number; all: number; n: number }[] = [];
for (const q of questions as string[]) {
  const r = await client.query(`with q as (select u.lexeme from unnest(to_tsvector('english', $2)) u),
   t as (select t.df, sum(t.df) over (order by t.df, t.lexeme) running from q join collection_term_stats t on t.lexeme=q.lexeme and t.collection_id=$1)
   select coalesce(sum(df) filter (where running - df < 100 or running <= 5000),0) exact, coalesce(sum(df),0) alls, count(*) n from t`, [collectionId, q]);
  rows.push({ exact: Number(r.rows[0].exact), all: Number(r.rows[0].alls), n: Number(r.rows[0].n) });
}
const pct = (a: number[], p: number) => a.sort((x, y) => x - y)[Math.floor(a.length * p)];
console.log('exact postings p50', pct(rows.map(r => r.exact), .5), 'p90', pct(rows.map(r => r.exact), .9), 'p95', pct(rows.map(r => r.exact), .95), 'max', pct(rows.map(r=>r.exact), .999));
console.log('all postings p50', pct(rows.map(r => r.all), .5), 'p95', pct(rows.map(r => r.all), .95));
console.log('terms p50', pct(rows.map(r => r.n), .5));
await client.end();
