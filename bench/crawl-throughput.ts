/**
 * Crawl throughput with the local embedder: pages/s through the real website crawler
 * (issue 19, ADR 0039) on PGlite and (with DATABASE_URL) PostgreSQL, in one run.
 *
 * The site, served by this process (node:http, 127.0.0.1): BENCH_CRAWL_PAGES (default 1,000)
 * deterministic HTML pages (a home page, 10 sections, articles of 2–8 KB of text from
 * lib/corpus.ts inside header, nav, related links, footer and cookie banner), every page
 * within depth 2 of the home page, each with an ETag and Last-Modified (304 on a match);
 * robots.txt allows all and names /sitemap.xml, which lists every page.
 *
 * Per database, a fresh `createAtrium` (in-process queue, the isolated extractor from
 * source as `pnpm start` runs it, local-hash-v1) whose `web` is the real safe web fetcher
 * with `allowHosts: '127.0.0.1'` (as ATRIUM_CRAWLER_ALLOW_HOSTS; nothing else opened). A
 * `crawl`-mode website is created through core, `core.websites.crawl` starts a run, and the
 * run is polled until it ends. After an unrecorded warm-up crawl of 20 pages:
 * - the full crawl with the fetcher's per-host delay set to 0 (else as shipped, two requests
 *   at a time per host): what the crawler itself costs;
 * - a recrawl of the unchanged site (conditional requests, 304s), counting the texts handed
 *   to the embedding model (a wrapper around the local models): should be none;
 * - a crawl of a second website with politeness as shipped (starts ≥ 0.5 s apart per host),
 *   capped at BENCH_CRAWL_POLITE_PAGES (default 200): the delay bounds one host at 2 pages/s,
 *   which a few hundred pages show as well as 1,000 would.
 * CPU: this process (all threads, the site's serving included) plus, on PostgreSQL, the
 * benchmark database's backends. Then the pieces are timed one at a time on the same pages:
 * fetching (safe fetcher; plain undici fetch for the site alone), extraction (in-process, and
 * the isolated extractor the crawl calls), chunking, embedding. No goal: recorded as `info`.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAtrium } from '@atrium/core/node';
import { createInProcessExtractor, createIsolatedExtractor } from '@atrium/core/extraction';
import { hashingEmbedder, localEmbeddingModels } from '@atrium/core/local';
import { safeWebFetcher, type SafeWebFetcher } from '@atrium/core/web';
import type { EmbeddingModels, ExtractedDocument, WebFetcher } from '../packages/core/src/ports/index.js';
import type { CrawlRun } from '../packages/core/src/domain/websites.js';
import { chunkDocument, embeddingTextFor, type ChunkDraft } from '../packages/core/src/retrieval/chunking.js';
import { DEFAULT_CHUNKING } from '../packages/core/src/domain/knowledge.js';
import { BENCH_JWT_SECRET, load, recordResult, sleep, table, tempDir } from './lib/common.js';
import { backendCpu, bundleExtractorWorker, fixtureMaterial, fmt, pgDatabase, prng, processCpuMs, reachable, tenantAndSpace, variedParagraph } from './lib/knowledge.js';

const PAGES = Number(process.env.BENCH_CRAWL_PAGES ?? 1000);
const POLITE_PAGES = Math.min(PAGES, Number(process.env.BENCH_CRAWL_POLITE_PAGES ?? 200));
const SECTIONS = 10;
const RUN_TIMEOUT_MS = 30 * 60_000;
const LAST_MODIFIED = 'Tue, 01 Dec 2026 12:00:00 GMT';

// ---- the site ---------------------------------------------------------------------------

const pathOf = (i: number) => (i === 0 ? '/' : i <= SECTIONS ? `/section/${i}` : `/articles/${i}`);
const sectionOf = (i: number) => ((i - SECTIONS - 1) % SECTIONS) + 1;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Deterministic HTML pages: article text from the fixtures, boilerplate around it. */
const buildSite = (count: number) => {
  const rng = prng(19);
  const { topics, vocabulary } = fixtureMaterial();
  const nav = `<header><a href="/">Bench Docs</a><nav><ul>${Array.from({ length: SECTIONS }, (_, s) => `<li><a href="/section/${s + 1}">Section ${s + 1}</a></li>`).join('')}</ul></nav></header>`;
  const footer =
    '<footer><p>© 2026 Bench Docs. All rights reserved.</p><ul><li><a href="/">Home</a></li><li><a href="/sitemap.xml">Sitemap</a></li>' +
    '<li><a href="https://example.org/partner">Partner</a></li><li><a href="/static/logo.png">Logo</a></li></ul>' +
    '<div class="cookie-banner">We use cookies to improve this site. <button>Accept</button></div></footer>';
  const pages: string[] = [];
  let textBytes = 0;
  for (let i = 0; i < count; i++) {
    const topic = rng.pick(topics);
    const title = i === 0 ? 'Bench Docs' : i <= SECTIONS ? `Section ${i}: ${topic.title}` : `${topic.title} (${i})`;
    const links: number[] = [];
    if (i === 0) for (let s = 1; s <= Math.min(SECTIONS, count - 1); s++) links.push(s);
    else if (i <= SECTIONS) for (let a = SECTIONS + i; a < count; a += SECTIONS) links.push(a);
    else {
      const s = sectionOf(i);
      links.push(s);
      if (i - SECTIONS > SECTIONS) links.push(i - SECTIONS);
      if (i + SECTIONS < count) links.push(i + SECTIONS);
      for (let k = 0; k < 3; k++) links.push(SECTIONS + 1 + rng.int(Math.max(1, count - SECTIONS - 1)));
    }
    const body: string[] = [];
    const target = i <= SECTIONS ? 1500 : 2048 + rng.int(6144);
    for (let size = 0; size < target; ) {
      const text = variedParagraph(rng, topic, vocabulary);
      if (body.length % 4 === 0) body.push(`<h2>${esc(rng.pick(topic.sections).heading)}</h2>`);
      body.push(`<p>${esc(text)}</p>`);
      size += text.length;
      textBytes += text.length;
    }
    const related = links.filter((l) => l < count).map((l) => `<li><a href="${pathOf(l)}">${l <= SECTIONS ? `Section ${l}` : `Article ${l}`}</a></li>`);
    pages.push(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)} · Bench Docs</title>` +
        `<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/site.css"></head>` +
        `<body>${nav}<main><article><h1>${esc(title)}</h1>${body.join('\n')}</article>` +
        `<aside><h3>Related</h3><ul>${related.join('')}</ul></aside></main>${footer}</body></html>`,
    );
  }
  return { pages: pages.map((p) => Buffer.from(p)), textBytes };
};

const startSite = async (pages: Buffer[]) => {
  const byPath = new Map(pages.map((p, i) => [pathOf(i), { body: p, etag: `"${createHash('sha1').update(p).digest('hex').slice(0, 16)}"` }]));
  const counts = { requests: 0, notModified: 0 };
  let origin = '';
  const server: Server = createServer((req, res) => {
    counts.requests++;
    const url = req.url ?? '/';
    if (url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`User-agent: *\nAllow: /\nSitemap: ${origin}/sitemap.xml\n`);
    if (url === '/sitemap.xml') {
      const urls = pages.map((_, i) => `<url><loc>${origin}${pathOf(i)}</loc><lastmod>2026-12-01</lastmod></url>`).join('');
      return void res.writeHead(200, { 'content-type': 'application/xml' }).end(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls}</urlset>`);
    }
    const page = byPath.get(url);
    if (!page) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const headers = { etag: page.etag, 'last-modified': LAST_MODIFIED };
    if (req.headers['if-none-match'] === page.etag) {
      counts.notModified++;
      return void res.writeHead(304, headers).end();
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': page.body.byteLength }).end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

// ---- crawls through core -----------------------------------------------------------------

/** The local models, counting every text embedded (to show a recrawl embeds nothing). */
const countingEmbeddings = () => {
  const inner = localEmbeddingModels();
  const counter = { texts: 0 };
  const models: EmbeddingModels = {
    defaultModelId: inner.defaultModelId,
    list: () => inner.list(),
    get: (id) => {
      const model = inner.get(id);
      if (!model) return null;
      const { specificationVersion, modelId, dimensions, maxBatchSize } = model;
      const embed: typeof model.embed = (texts, options) => ((counter.texts += texts.length), model.embed(texts, options));
      return { specificationVersion, modelId, dimensions, maxBatchSize, embed };
    },
  };
  return { models, counter };
};

/** One WebFetcher for the instance, switched between the unpaced and the shipped safe fetcher. */
const switchable = (initial: SafeWebFetcher) => {
  let current = initial;
  const web: WebFetcher = { check: (url) => current.check(url), fetch: (request) => current.fetch(request) };
  return { web, use: (f: SafeWebFetcher) => void (current = f) };
};

interface CrawlResult {
  database: string;
  label: string;
  run: CrawlRun;
  wallMs: number;
  nodeCpuMs: number;
  pgCpuMs: number | null;
  /** Texts handed to the embedding model, requests the site served, of them 304s. */
  embedded: number;
  requests: number;
  notModified: number;
}

type Site = Awaited<ReturnType<typeof startSite>>;

const crawlDatabase = async (name: string, adminUrl: string | undefined, site: Site): Promise<CrawlResult[]> => {
  const db = adminUrl ? await pgDatabase(adminUrl, 'crawl') : null;
  const cpu = db && adminUrl ? backendCpu(adminUrl, db.name) : null;
  const unpaced = safeWebFetcher({ allowHosts: '127.0.0.1', perHostDelayMs: 0 });
  const shipped = safeWebFetcher({ allowHosts: '127.0.0.1' });
  const fetcher = switchable(unpaced);
  const { models, counter } = countingEmbeddings();
  const instance = await createAtrium({ databaseUrl: db?.url, dataDir: tempDir('crawl'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, web: fetcher.web, embeddings: models });
  const results: CrawlResult[] = [];
  try {
    const { core } = instance;
    const { actor, spaceId } = await tenantAndSpace(instance);
    const crawl = async (websiteId: string, label: string, record = true) => {
      const before = { ...site.counts, texts: counter.texts };
      await cpu?.start();
      const [cpu0, t0] = [processCpuMs(), performance.now()];
      await core.websites.crawl(actor, websiteId);
      let run: CrawlRun;
      for (let shown = -1; ; ) {
        await sleep(100);
        await cpu?.sample();
        run = (await core.websites.runs.list(actor, websiteId, { limit: 1 })).data[0]!;
        if (run.status !== 'queued' && run.status !== 'running') break;
        if (process.stdout.isTTY && run.progress.fetched !== shown) process.stdout.write(`\r    ${label}: ${(shown = run.progress.fetched)} fetched`);
        if (performance.now() - t0 > RUN_TIMEOUT_MS) throw new Error(`the crawl did not finish in ${RUN_TIMEOUT_MS / 60_000} min`);
      }
      const [wallMs, nodeCpuMs, pgCpuMs] = [performance.now() - t0, processCpuMs() - cpu0, cpu ? await cpu.elapsed() : null];
      const [embedded, requests, notModified] = [counter.texts - before.texts, site.counts.requests - before.requests, site.counts.notModified - before.notModified];
      const result: CrawlResult = { database: name, label, run, wallMs, nodeCpuMs, pgCpuMs, embedded, requests, notModified };
      const s = run.stats;
      if (!record) return;
      console.log(
        `${process.stdout.isTTY ? '\r' : ''}    ${label}: ${run.status}, ${fmt(result.wallMs / 1000, 1)} s, ${fmt(s.crawled / (result.wallMs / 1000), 1)} pages/s; ` +
          `crawled ${s.crawled}, new ${s.new}, unchanged ${s.unchanged}, failed ${s.failed}; ${result.embedded} texts embedded`,
      );
      results.push(result);
    };
    const create = (maxPages: number) => core.websites.create(actor, spaceId, { url: `${site.origin}/`, mode: 'crawl', maxPages });
    // Warm-up (not recorded): loads the crawler's modules and starts this instance's extractor threads.
    await crawl((await create(20)).id, 'warm-up', false);
    const website = await create(PAGES);
    await crawl(website.id, 'crawl, per-host delay 0');
    await crawl(website.id, 'recrawl of the unchanged site, per-host delay 0');
    fetcher.use(shipped);
    await crawl((await create(POLITE_PAGES)).id, `crawl, politeness as shipped (0.5 s), first ${POLITE_PAGES} pages`);
  } finally {
    await instance.close();
    await Promise.all([unpaced.close(), shipped.close(), cpu?.close()]);
    await db?.drop();
  }
  return results;
};

// ---- the pieces, one at a time -----------------------------------------------------------

type Piece = { piece: string; wallMs: number; cpuMs: number; note?: string };

const timed = async <T>(fn: () => Promise<T>) => {
  const [cpu0, t0] = [processCpuMs(), performance.now()];
  const value = await fn();
  return { value, wallMs: performance.now() - t0, cpuMs: processCpuMs() - cpu0 };
};

const pieces = async (site: Site, count: number): Promise<Piece[]> => {
  const urls = Array.from({ length: count }, (_, i) => `${site.origin}${pathOf(i)}`);
  const out: Piece[] = [];
  const fetcher = safeWebFetcher({ allowHosts: '127.0.0.1', perHostDelayMs: 0 });
  await fetcher.fetch({ url: urls[0]! }); // robots.txt, connection
  const fetched = await timed(async () => {
    const bodies: Uint8Array[] = [];
    for (const url of urls) {
      const r = await fetcher.fetch({ url, accept: ['text/html', 'application/xhtml+xml'] });
      if (r.kind !== 'ok') throw new Error(`${url}: ${r.kind}`);
      bodies.push(r.bytes);
    }
    return bodies;
  });
  await fetcher.close();
  out.push({ piece: 'fetching: the safe fetcher, one page at a time, per-host delay 0', ...fetched, note: "the site's serving is in this CPU too" });
  await (await fetch(urls[0]!)).arrayBuffer();
  for (const at of [1, 2]) {
    let next = 0;
    const worker = async () => {
      while (next < urls.length) await (await fetch(urls[next++]!)).arrayBuffer();
    };
    const t = await timed(() => Promise.all(Array.from({ length: at }, worker)));
    out.push({ piece: `fetching: plain undici \`fetch\`, ${at} at a time (the site alone: no checks, no robots)`, ...t, note: `${fmt(count / (t.wallMs / 1000), 0)} pages/s` });
  }

  const inProcess = createInProcessExtractor();
  await inProcess.extract({ bytes: fetched.value[0]!, declaredType: 'text/html' }); // loads readability, linkedom, turndown
  const extracted = await timed(async () => {
    const docs: ExtractedDocument[] = [];
    for (const body of fetched.value) docs.push(await inProcess.extract({ bytes: body, declaredType: 'text/html' }));
    return docs;
  });
  out.push({ piece: 'extraction: in-process (linkedom + Readability + turndown → blocks, links)', ...extracted });
  // The extractor the crawl calls: a pool of worker threads, each replaced after 100 documents.
  const builtEntry = await bundleExtractorWorker(tempDir('extractor'));
  for (const [kind, isolated] of [
    ['from source (tsx), as `pnpm start`', createIsolatedExtractor()],
    ['built (JS), as the package', createIsolatedExtractor({}, { workerEntry: builtEntry, execArgv: [] })],
  ] as const) {
    const all = await timed(async () => {
      for (const body of fetched.value) await isolated.extract({ bytes: body, declaredType: 'text/html' });
    });
    await isolated.close();
    out.push({ piece: `extraction: isolated extractor, ${kind}, one page at a time`, ...all, note: `threads started: ${Math.ceil(count / 100)} (one per 100 pages), included` });
  }
  const chunked = await timed(async () => extracted.value.map((d) => chunkDocument(d.blocks, DEFAULT_CHUNKING)));
  const drafts: ChunkDraft[][] = chunked.value;
  const chunkCount = drafts.reduce((sum, d) => sum + d.length, 0);
  out.push({ piece: `chunking (\`chunkDocument\`, 400/60 tokens): ${chunkCount} chunks`, ...chunked });
  const model = hashingEmbedder();
  const embedded = await timed(async () => {
    for (const d of drafts) for (let i = 0; i < d.length; i += 64) await model.embed(d.slice(i, i + 64).map(embeddingTextFor));
  });
  out.push({ piece: 'embedding (local-hash-v1, 384 dims, batches of 64)', ...embedded, note: `${fmt((embedded.cpuMs / chunkCount) * 1000, 0)} µs CPU per chunk` });
  return out;
};

// --------------------------------------------------------------------------------------------

const main = async () => {
  const loadBefore = load();
  const { pages, textBytes } = buildSite(PAGES);
  const htmlBytes = pages.reduce((sum, p) => sum + p.byteLength, 0);
  const site = await startSite(pages);
  console.log(`crawl-throughput: ${PAGES} pages at ${site.origin}, ${fmt(htmlBytes / 1024 / 1024)} MB of HTML, ${fmt(textBytes / 1024 / 1024)} MB of article text\n`);

  const adminUrl = process.env.DATABASE_URL;
  const connected = adminUrl ? await reachable(adminUrl) : false;
  const targets: [string, string | undefined][] = [['PGlite', undefined], ...(connected ? [['PostgreSQL', adminUrl] as [string, string]] : [])];
  const connectedNote = connected ? '' : `PostgreSQL skipped: DATABASE_URL is ${adminUrl ? 'not reachable' : 'not set'}.`;

  const results: CrawlResult[] = [];
  let pieceList: Piece[] = [];
  try {
    for (const [name, url] of targets) {
      console.log(`  ${name}`);
      results.push(...(await crawlDatabase(name, url, site)));
    }
    console.log('  pieces, one at a time');
    pieceList = await pieces(site, PAGES);
  } finally {
    await site.close();
  }
  for (const p of pieceList) console.log(`    ${p.piece.padEnd(100)} ${fmt(p.wallMs / 1000).padStart(7)} s wall ${fmt(p.cpuMs / 1000).padStart(7)} s CPU`);

  const loadAfter = load();
  const rate = (r: CrawlResult) => r.run.stats.crawled / (r.wallMs / 1000);
  const rows = results.map((r) => {
    const s = r.run.stats;
    const runS = (r.run.finishedAt!.getTime() - r.run.startedAt!.getTime()) / 1000;
    const stats = `${s.crawled} / ${s.new} / ${s.updated} / ${s.unchanged} / ${s.failed} / ${s.duplicates} / ${s.skippedScope}${s.limitReached ? ' (limit reached)' : ''}`;
    const cpu = `${fmt(r.nodeCpuMs / 1000, 1)} s${r.pgCpuMs !== null ? ` + ${fmt(r.pgCpuMs / 1000, 1)} s PG` : ''}`;
    const perPage = `${fmt((r.nodeCpuMs + (r.pgCpuMs ?? 0)) / Math.max(1, s.crawled), 1)} ms`;
    return [r.database, r.label, r.run.status, `${fmt(r.wallMs / 1000, 1)} s (run ${fmt(runS, 1)} s)`, `**${fmt(rate(r), 1)}**`, stats, `${r.requests} (${r.notModified} × 304)`, r.embedded, cpu, perPage];
  });
  const pieceRows = pieceList.map((p) => [p.piece, `${fmt(p.wallMs / 1000, 2)} s`, `${fmt(p.cpuMs / 1000, 2)} s`, `${fmt(p.cpuMs / PAGES, 2)} ms`, p.note ?? '']);
  // Only the load before says whether other work was running: afterwards it is mostly this run's own (two busy cores).
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after (mostly this run's own)${
    loadBefore.busy ? ' — **the machine was busy with other work: wall times (and so pages/s) are inflated; CPU per page is the steadier figure**' : ''
  }.`;
  console.log(`\n  ${loadNote}`);
  const first = (db: string, label: string) => results.find((r) => r.database === db && r.label.startsWith(label))!;
  const piece = (start: string) => pieceList.find((p) => p.piece.startsWith(start))?.cpuMs ?? NaN;
  const piecesPerPage = (piece('fetching: the safe') + piece('extraction: isolated extractor, from source') + piece('chunking') + piece('embedding')) / PAGES;
  const rest = targets.map(([db]) => {
    const r = first(db, 'crawl, per-host');
    const perPage = (r.nodeCpuMs + (r.pgCpuMs ?? 0)) / r.run.stats.crawled;
    return `${db} ${fmt(perPage, 1)} ms, of which ${fmt(perPage - piecesPerPage, 1)} ms (${fmt((100 * (perPage - piecesPerPage)) / perPage, 0)} %) outside these pieces`;
  });
  recordResult(
    `crawl throughput (local ${PAGES}-page site, local embedder, real crawler)`,
    targets.map(([db]) => ({
      goal: `pages/s on ${db}: none, for information`,
      result: `${fmt(rate(first(db, 'crawl, per-host')), 1)} pages/s (delay 0), recrawl ${fmt(rate(first(db, 'recrawl')), 1)}, as shipped ${fmt(rate(first(db, 'crawl, polite')), 1)}`,
      verdict: 'info',
    })),
    [
      `Site: ${PAGES} deterministic HTML pages served by the benchmark (node:http, 127.0.0.1; ${fmt(htmlBytes / 1024 / 1024)} MB of HTML, ` +
        `${fmt(htmlBytes / PAGES / 1024, 1)} KB a page on average: 2–8 KB of article text from the retrieval fixtures plus header, nav, related links, ` +
        'footer and cookie banner), all reachable breadth first within depth 2, each with an ETag and Last-Modified (304 to a matching `If-None-Match`), ' +
        'robots.txt allowing all, a sitemap. Through core: `websites.create` (`crawl` mode), `websites.crawl`, the run polled every 100 ms until it ends ' +
        "(wall: from `websites.crawl` until the poll sees the run ended; in brackets the run's own `startedAt` → `finishedAt`), after an unrecorded 20-page warm-up crawl; " +
        'a fresh `createAtrium` per database (in-process queue, isolated extractor from source, local-hash-v1 384 dims, crawlConcurrency 4) with the real ' +
        "safe web fetcher, `allowHosts: '127.0.0.1'` and nothing else opened. **Per-host delay 0** is the shipped fetcher with only `perHostDelayMs: 0` " +
        '(2 requests at a time per host as shipped): what the crawler costs. **As shipped** is the default politeness (starts ≥ 0.5 s apart per host), ' +
        `on a second website capped at ${POLITE_PAGES} pages: it bounds one host at 2 pages/s whatever the crawler costs. pages/s = \`crawled\` / wall. ` +
        '"embedded" counts texts handed to the embedding model during the run. CPU is this process (all threads, the site included) plus PostgreSQL backends.',
      '',
      table(['database', 'run', 'status', 'wall', 'pages/s', 'crawled / new / updated / unchanged / failed / duplicates / skipped scope', 'requests served', 'texts embedded', 'CPU', 'CPU per page'], rows),
      '',
      `Pieces, timed one at a time over the same ${PAGES} pages in this process ("per page" = CPU / ${PAGES}):`,
      '',
      table(['piece', 'wall', 'CPU', 'CPU per page', 'note'], pieceRows),
      '',
      `Fetching (safe fetcher), extraction (isolated, from source, as the crawl ran it), chunking and embedding add up to ${fmt(piecesPerPage, 1)} ms of CPU per page. ` +
        `CPU per page of the crawl with per-host delay 0: ${rest.join('; ')} (storing documents, chunks and page records, the job and its bookkeeping, polling, the site's side).`,
      '',
      [connectedNote, loadNote].filter(Boolean).join(' '),
    ].join('\n'),
  );
};

await main();
