import { AtriumError } from '../../domain/errors.js';
import type { Collection } from '../../domain/knowledge.js';
import {
  emptyCrawlStats,
  MAX_RUN_FAILURES,
  type CrawlFailure,
  type CrawlProgress,
  type CrawlRun,
  type CrawlStats,
  type Website,
  type WebsitePage,
} from '../../domain/websites.js';
import type { ExtractedDocument, JobRunContext, QueuedJob, TenantRepositories, WebFetcher, WebFetchResult } from '../../ports/index.js';
import type { CoreContext } from '../context.js';
import { isPermanent } from '../jobs/jobs.js';
import { chunkAndEmbed, chunkTotals } from '../knowledge/ingest-document.js';
import { publicErrorMessage } from '../shared/public-error.js';
import { sha256Hex } from '../shared/secrets.js';
import { MAX_SITEMAPS, parseSitemap, sitemapsInRobots, type Sitemap } from './sitemaps.js';
import { crawlScope, linkKind, normalizeUrl, sameSite, withOrigin, type CrawlScope } from './urls.js';

const HTML_TYPES = ['text/html', 'application/xhtml+xml'];
const FILE_TYPES = ['application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'];
/** A link to `.pdf`/`.docx` may come as generic bytes (many servers send DOCX so): the extractor reads what they are. */
const LINKED_FILE_TYPES = [...FILE_TYPES, 'application/octet-stream'];

/** Thrown inside a crawl when its run was cancelled (or deleted): unwinds to the handler. */
class CrawlStopped extends Error {}

interface Target {
  url: string;
  depth: number;
  /** The sitemap's `<lastmod>` for the page, when it gave one. */
  lastModified?: Date | undefined;
}

/**
 * The `crawl_website` job: one run of one website. Crawl mode walks the site breadth
 * first from its URL (level by level, so depth is exact, a few pages at a time); sitemap
 * mode reads the site's sitemaps. Every page goes through the fetcher (which refuses what
 * robots.txt or the SSRF rules forbid), the extractor, the chunker and the embedder, and
 * is stored with its chunks in one transaction. Pages whose bytes or text did not change
 * are not embedded again, and pages gone from the site are removed once a crawl reached
 * everything it could (ADR 0039).
 */
export const crawlWebsite = async (ctx: CoreContext, job: QueuedJob, run: JobRunContext): Promise<void> => {
  const repos = ctx.store.forTenant(job.tenantId);
  const runId = String(job.payload.runId);
  const current = await repos.crawlRuns.get(runId);
  // Cancelled while queued, finished by an earlier delivery, or deleted with its website.
  if (!current || (current.status !== 'queued' && current.status !== 'running')) return;
  const website = await repos.websites.get(current.websiteId);
  const collection = website && (await repos.collections.get(website.collectionId));
  if (!website || !collection) return;
  const startedAt = ctx.clock.now();
  await repos.crawlRuns.update(runId, {
    status: 'running',
    startedAt,
    error: null,
    progress: { found: 0, fetched: 0, queued: 0 },
    stats: emptyCrawlStats(),
    failures: [],
  });
  const crawl = new Crawl(ctx, repos, website, collection, current, run);
  try {
    const outcome = await crawl.run();
    const now = ctx.clock.now();
    await repos.crawlRuns.update(runId, {
      status: outcome,
      progress: { ...crawl.progress, queued: 0 },
      stats: crawl.stats,
      failures: crawl.failures,
      finishedAt: now,
    });
  } catch (error) {
    if (run.finalAttempt || isPermanent(error)) {
      await repos.crawlRuns.update(runId, {
        status: 'failed',
        progress: crawl.progress,
        stats: crawl.stats,
        failures: crawl.failures,
        error: publicErrorMessage(error),
        finishedAt: ctx.clock.now(),
      });
    }
    throw error;
  }
  await ctx.store.system.chunksStored().catch(() => {});
};

class Crawl {
  readonly stats: CrawlStats = emptyCrawlStats();
  readonly progress: CrawlProgress = { found: 0, fetched: 0, queued: 0 };
  readonly failures: CrawlFailure[] = [];
  private readonly fetcher: WebFetcher;
  private readonly stop = new AbortController();
  private readonly signal: AbortSignal;
  /** Where pages must be; moves with the start page when the site moved within itself (http → https, www). */
  private scope: CrawlScope;
  /** What the crawler knew of each page before this run, by URL. */
  private known = new Map<string, WebsitePage>();
  /** URLs found this run (queued, fetched or skipped): each is looked at once. */
  private readonly discovered = new Set<string>();
  private readonly outOfScope = new Set<string>();
  /** Page identity (canonical URL) → the document that holds it this run. */
  private readonly stored = new Map<string, string | null>();
  /** Documents some page of this run stands for: never removed. */
  private readonly kept = new Set<string>();
  /** URLs whose page record this run wrote (or kept). */
  private readonly touched = new Set<string>();
  /** URLs this run asked the fetcher for. */
  private readonly visited = new Set<string>();
  /** Documents a page stood for before and no longer does. */
  private readonly superseded = new Set<string>();
  private lastCheck = 0;
  /** Why the start page could not be read, if it could not: the crawl then fails, removing nothing. */
  private startFailure: string | null = null;

  constructor(
    private readonly ctx: CoreContext,
    private readonly repos: TenantRepositories,
    private readonly website: Website,
    private readonly collection: Collection,
    private readonly record: CrawlRun,
    private readonly job: JobRunContext,
  ) {
    this.fetcher = ctx.web;
    this.signal = AbortSignal.any([job.signal, this.stop.signal]);
    this.scope = crawlScope(website);
  }

  /** Runs the crawl; the run's final status. */
  async run(): Promise<'completed' | 'cancelled'> {
    this.known = new Map((await this.repos.websitePages.list(this.website.id)).map((p) => [p.url, p]));
    try {
      const complete = this.website.mode === 'sitemap' ? await this.sitemapCrawl() : await this.linkCrawl();
      await this.removeGone(complete);
    } catch (error) {
      if (error instanceof CrawlStopped || (this.stop.signal.aborted && !this.job.signal.aborted)) {
        await this.removeGone(false);
        return 'cancelled';
      }
      throw error;
    }
    return 'completed';
  }

  // ---- the two modes ------------------------------------------------------------------

  /** Breadth first, level by level; true when every in-scope page within depth was reached. */
  private async linkCrawl(): Promise<boolean> {
    const start = normalizeUrl(this.website.url);
    if (!start) throw new AtriumError('invalid', 'invalid_url', 'The website URL is not an http(s) URL');
    this.discovered.add(start);
    let level: Target[] = [{ url: start, depth: 0 }];
    let budget = this.website.maxPages;
    this.progress.found = 1;
    while (level.length > 0) {
      if (level.length > budget) {
        this.stats.limitReached = true;
        level = level.slice(0, budget);
      }
      budget -= level.length;
      this.updateQueued();
      const next: Target[] = [];
      await this.pool(level, async (target) => {
        const links = await this.visit(target, target.url === start);
        if (target.depth >= this.website.maxDepth) {
          for (const link of links) if (!this.discovered.has(link)) this.skipScope(link);
          return;
        }
        for (const link of links) {
          if (this.discovered.has(link)) continue;
          this.discovered.add(link);
          this.progress.found++;
          next.push({ url: link, depth: target.depth + 1 });
        }
      });
      // A site that is down (or now closed to us) must not look like a site without pages.
      if (this.startFailure) throw new AtriumError('invalid', 'start_page_unreachable', `The start page could not be read: ${this.startFailure}`);
      if (next.length > 0 && budget <= 0) {
        this.stats.limitReached = true;
        break;
      }
      // Between levels, always: a cancel sent while a level ran stops the crawl before the next.
      if (next.length > 0) await this.checkpoint(true);
      level = next;
    }
    return !this.stats.limitReached;
  }

  /** Every in-scope URL of the site's sitemaps; true when all of them were fetched. */
  private async sitemapCrawl(): Promise<boolean> {
    const urls = await this.sitemapUrls();
    // An empty list is more likely a broken sitemap than a site without pages: remove nothing.
    if (urls.length === 0) throw new AtriumError('invalid', 'empty_sitemap', 'The sitemaps list no pages in scope');
    this.progress.found = urls.length;
    const targets = urls.slice(0, this.website.maxPages).map(({ url, lastModified }) => ({ url, depth: 0, lastModified }));
    if (urls.length > targets.length) this.stats.limitReached = true;
    this.updateQueued();
    await this.pool(targets, async (target) => void (await this.visit(target, false)));
    return !this.stats.limitReached;
  }

  /**
   * The website URL itself when it is a sitemap; otherwise the sitemaps robots.txt names,
   * or /sitemap.xml. Indexes are followed (at most MAX_SITEMAPS sitemaps in all). A site
   * that moved within itself (http → https, `www.`) is followed there, as in crawl mode.
   */
  private async sitemapUrls(): Promise<{ url: string; lastModified: Date | undefined }[]> {
    let origin = new URL(this.website.url).origin;
    const followMove = (servedUrl: string) => {
      if (sameSite(origin, servedUrl)) origin = new URL(servedUrl).origin;
    };
    const pending: string[] = [];
    const found: string[] = [];
    const lastModified = new Map<string, Date>();
    const take = ({ sitemap, url }: { sitemap: Sitemap; url: string }) => {
      followMove(url);
      if (sitemap.kind === 'index') return void pending.push(...sitemap.sitemaps);
      found.push(...sitemap.urls);
      for (const [loc, date] of sitemap.lastModified) lastModified.set(loc, date);
    };
    const first = await this.fetchSitemap(this.website.url);
    // A URL that is itself a sitemap names the whole site, not a section of it.
    const wholeSite = first !== null;
    if (first) take(first);
    else {
      const robots = await this.fetcher.fetch({ url: `${origin}/robots.txt`, signal: this.signal });
      followMove(robots.url); // where robots.txt was answered from, 404 or not
      const named = robots.kind === 'ok' ? sitemapsInRobots(new TextDecoder().decode(robots.bytes)) : [];
      pending.push(...(named.length > 0 ? named : [`${origin}/sitemap.xml`]));
    }
    const read = new Set<string>([this.website.url]);
    let fetched = 0;
    let anySitemap = wholeSite;
    while (pending.length > 0 && fetched < MAX_SITEMAPS) {
      const normal = normalizeUrl(pending.shift()!);
      // Sitemaps of other sites are not this site's word about its pages.
      if (!normal || read.has(normal) || new URL(normal).origin !== origin) continue;
      read.add(normal);
      fetched++;
      const sitemap = await this.fetchSitemap(normal);
      if (!sitemap) continue;
      anySitemap = true;
      take(sitemap);
    }
    if (!anySitemap) throw new AtriumError('invalid', 'no_sitemap', `No sitemap was found for ${this.website.url}`);
    // Pages (and their redirects) are judged by this scope from now on.
    this.scope = crawlScope({ ...this.website, url: withOrigin(this.website.url, origin) }, wholeSite);
    const listed = new Map<string, Date | undefined>();
    for (const raw of found) {
      const url = normalizeUrl(raw);
      if (!url || this.discovered.has(url)) continue;
      this.discovered.add(url);
      listed.set(url, lastModified.get(raw));
    }
    return this.followable([...listed.keys()]).map((url) => ({ url, lastModified: listed.get(url) }));
  }

  /** A sitemap and the address it was served from; null when there is none there. */
  private async fetchSitemap(url: string) {
    const result = await this.fetcher.fetch({ url, signal: this.signal });
    if (result.kind !== 'ok') return null;
    const sitemap = await parseSitemap(result.bytes);
    return sitemap && { sitemap, url: result.url };
  }

  // ---- one page -----------------------------------------------------------------------

  /** Fetches and stores one page; the in-scope links it leads to (crawl mode). */
  private async visit({ url, lastModified }: Target, isStart: boolean): Promise<string[]> {
    await this.checkpoint();
    const prior = this.known.get(url);
    if (await this.unchangedSinceFetched(url, prior, lastModified)) {
      // The sitemap says the page has not changed since we read it: no request at all.
      this.progress.fetched++;
      this.updateQueued();
      this.stats.unchanged++;
      return this.keep(url, prior);
    }
    const kind = linkKind(url);
    const accept = kind === 'file' ? LINKED_FILE_TYPES : this.website.includeFiles ? [...HTML_TYPES, ...FILE_TYPES] : HTML_TYPES;
    this.visited.add(url);
    const result = await this.fetcher.fetch({ url, signal: this.signal, etag: prior?.etag ?? undefined, lastModified: prior?.lastModified ?? undefined, accept });
    this.progress.fetched++;
    this.updateQueued();
    this.signal.throwIfAborted();
    if (isStart && (result.kind === 'refused' || result.kind === 'failed')) this.startFailure = result.message;
    switch (result.kind) {
      case 'refused':
        // robots.txt now forbids the page: it goes. Other refusals (DNS, address) may pass.
        if (result.reason === 'robots') {
          this.stats.skippedRobots++;
          return [];
        }
        this.fail(url, result.message);
        return this.keep(url, prior);
      case 'failed':
        return this.failed(url, prior, result);
      case 'not_modified':
        this.stats.crawled++;
        this.stats.unchanged++;
        return this.keep(url, prior);
      case 'ok':
        this.stats.crawled++;
        return this.fetched(url, prior, result, isStart);
    }
  }

  /**
   * Whether the sitemap's `<lastmod>` is no later than our last read of a page we hold,
   * ready, and robots.txt still lets us fetch it (a page now disallowed goes the usual way).
   */
  private async unchangedSinceFetched(url: string, prior: WebsitePage | undefined, lastModified: Date | undefined): Promise<boolean> {
    if (!prior?.documentId || !lastModified || lastModified.getTime() > prior.updatedAt.getTime() || !this.fetcher.robotsAllows) return false;
    if (!(await this.isReady(prior.documentId))) return false;
    return this.fetcher.robotsAllows(url, this.signal);
  }

  /** Whether a page's document is still there, ingested (not deleted by hand, not failed). */
  private async isReady(documentId: string): Promise<boolean> {
    return (await this.repos.documents.get(documentId))?.status === 'ready';
  }

  private failed(url: string, prior: WebsitePage | undefined, result: Extract<WebFetchResult, { kind: 'failed' }>): string[] {
    // The site asked us to stay away for longer than we wait: stop, removing nothing, and
    // leave the next try to the schedule (which backs off after failed runs).
    // (Another host's pause, e.g. a sign-in page redirecting to an identity provider, fails that page only.)
    if (result.retryAfterMs !== undefined && new URL(result.url).host === new URL(this.scope.origin).host)
      throw new AtriumError('invalid', 'site_asked_to_wait', `The crawl stopped: ${result.message}`);
    if (result.code === 'unsupported_type') {
      this.stats.skippedType++;
      return [];
    }
    this.fail(url, result.message);
    // Gone for good: removed with the run. Anything else may pass: the page stays as it was.
    return result.status === 404 || result.status === 410 ? [] : this.keep(url, prior);
  }

  /**
   * Keeps what the crawler knew of a page it could not read again this time, and leads on
   * to the links it had: a page that failed once must not take the pages below it along.
   */
  private keep(url: string, prior: WebsitePage | undefined): string[] {
    if (!prior) return [];
    this.touched.add(url);
    if (prior.documentId) this.kept.add(prior.documentId);
    return this.followable(prior.links);
  }

  private async fetched(url: string, prior: WebsitePage | undefined, result: Extract<WebFetchResult, { kind: 'ok' }>, isStart: boolean): Promise<string[]> {
    const finalUrl = normalizeUrl(result.url) ?? url;
    if (isStart) {
      this.startFailure = this.followStart(finalUrl);
      if (this.startFailure) return [];
    }
    if (finalUrl !== url && !this.scope.contains(finalUrl) && !isStart) {
      this.skipScope(finalUrl); // redirected off the site or out of its section
      return [];
    }
    const bytesHash = await sha256Hex(result.bytes);
    const page = (documentId: string | null, links: string[]): WebsitePage => {
      if (prior?.documentId && prior.documentId !== documentId) this.superseded.add(prior.documentId);
      return this.pageRecord(url, result, bytesHash, documentId, links);
    };
    // The same bytes as last time: nothing to extract or embed.
    if (prior && prior.bytesHash === bytesHash && (prior.documentId === null || (await this.isReady(prior.documentId)))) {
      this.stats.unchanged++;
      if (prior.documentId) {
        this.kept.add(prior.documentId);
        this.stored.set(finalUrl, prior.documentId);
      }
      this.touched.add(url);
      await this.repos.websitePages.upsert(page(prior.documentId, prior.links));
      return this.followable(prior.links);
    }
    let extracted: ExtractedDocument;
    try {
      extracted = await this.ctx.extractor.extract({ bytes: result.bytes, declaredType: result.contentType, filename: fileName(finalUrl) });
    } catch (error) {
      if (!isPermanent(error)) throw error;
      this.fail(url, publicErrorMessage(error));
      return this.keep(url, prior);
    }
    const web = extracted.web;
    const links = web && !web.nofollow && this.website.mode === 'crawl' ? this.linksOf(result.url, extracted) : [];
    // The page names its canonical address: that is its identity, if it is on this site.
    const canonical = web?.canonical ? normalizeUrl(web.canonical, finalUrl) : null;
    const key = canonical && this.scope.contains(canonical) ? canonical : finalUrl;
    const keep = !web?.noindex && (this.scope.contains(key) || !isStart);
    if (!keep || this.stored.has(key)) {
      if (keep) this.stats.duplicates++;
      const same = this.stored.get(key) ?? null;
      if (same) this.kept.add(same);
      this.touched.add(url);
      await this.repos.websitePages.upsert(page(same, links));
      return links;
    }
    this.stored.set(key, null);
    const documentId = await this.store(key, prior, extracted, result.bytes.byteLength);
    this.stored.set(key, documentId);
    if (documentId) this.kept.add(documentId);
    this.touched.add(url);
    await this.repos.websitePages.upsert(page(documentId, links));
    return links;
  }

  /**
   * The start page answered from another origin. The same site (http → https, or `www.`
   * added or dropped) is followed: the crawl's scope moves there. Another site is not this
   * website: the run fails with the address to use instead, removing nothing.
   */
  private followStart(finalUrl: string): string | null {
    const origin = new URL(finalUrl).origin;
    if (origin === this.scope.origin) return null;
    if (!sameSite(this.website.url, finalUrl))
      return `it redirects to ${finalUrl}, which is another site; to crawl that site, set the website's URL to it`;
    this.scope = crawlScope({ ...this.website, url: withOrigin(this.website.url, origin) });
    return null;
  }

  private pageRecord(url: string, result: Extract<WebFetchResult, { kind: 'ok' }>, bytesHash: string, documentId: string | null, links: string[]): WebsitePage {
    return {
      websiteId: this.website.id,
      url,
      documentId,
      etag: result.etag ?? null,
      lastModified: result.lastModified ?? null,
      bytesHash,
      links,
      lastSeenRunId: this.record.id,
      updatedAt: this.ctx.clock.now(),
    };
  }

  /**
   * In-scope pages (and, with includeFiles, PDF and DOCX files) a page links to, normalised.
   * Relative links resolve against the address as served (`/a/` and `/a` differ here) or
   * the page's `<base href>`.
   */
  private linksOf(servedUrl: string, extracted: ExtractedDocument): string[] {
    const web = extracted.web!;
    let base = servedUrl;
    try {
      if (web.base) base = new URL(web.base, servedUrl).href;
    } catch {
      // an unusable <base href> is ignored
    }
    const urls = web.links.map((href) => normalizeUrl(href, base)).filter((url): url is string => url !== null);
    return this.followable(urls);
  }

  /**
   * The links worth following today: pages (and, with includeFiles, PDF and DOCX files) in
   * scope as the website's settings now draw it. Remembered links go through it too, so an
   * exclude pattern added since, or includeFiles turned off, is obeyed on the next crawl.
   */
  private followable(urls: readonly string[]): string[] {
    const out = new Set<string>();
    for (const url of urls) {
      if (out.has(url)) continue;
      const kind = linkKind(url);
      if (kind === 'other' || (kind === 'file' && !this.website.includeFiles)) continue;
      if (!this.scope.contains(url)) {
        this.skipScope(url);
        continue;
      }
      out.add(url);
    }
    return [...out];
  }

  /**
   * Stores a page's new content as its document (created, or replaced with its chunks in
   * one transaction); null when another page already holds the same text.
   */
  private async store(key: string, prior: WebsitePage | undefined, extracted: ExtractedDocument, byteSize: number): Promise<string | null> {
    const contentHash = await sha256Hex(new TextEncoder().encode(JSON.stringify(extracted.blocks)));
    const previous = prior?.documentId ? await this.repos.documents.get(prior.documentId) : null;
    if (previous && previous.contentHash === contentHash && previous.status === 'ready') {
      this.stats.unchanged++;
      return previous.id;
    }
    const same = await this.repos.documents.findByContentHash(this.collection.id, contentHash);
    if (same && same.status !== 'failed' && same.id !== previous?.id) {
      this.stats.duplicates++;
      this.kept.add(same.id);
      return same.id;
    }
    let chunks;
    try {
      chunks = await chunkAndEmbed(this.ctx, this.collection, extracted.blocks, this.signal);
    } catch (error) {
      if (!isPermanent(error)) throw error;
      this.fail(key, publicErrorMessage(error)); // e.g. a page without text
      if (previous) this.kept.add(previous.id);
      return previous?.id ?? null;
    }
    const now = this.ctx.clock.now();
    const content = {
      title: (extracted.title ?? key).slice(0, 300),
      contentHash,
      byteSize,
      format: extracted.format,
      source: key,
      metadata: extracted.web?.language ? { language: extracted.web.language } : {},
    };
    const dimensions = this.collection.embeddingDimensions;
    const id = await this.ctx.store.transaction(async (tx) => {
      const scoped = tx.forTenant(this.website.tenantId);
      if (previous && (await scoped.documents.lock(previous.id))) {
        await scoped.chunks.replaceForDocument(previous.id, this.collection.id, dimensions, chunks);
        await scoped.documents.setProgress(previous.id, { status: 'ready', error: null, ...content, ...chunkTotals(chunks), now });
        return previous.id;
      }
      const created = await scoped.documents.createUnlessDuplicate({
        id: this.ctx.ids.next(),
        spaceId: this.website.spaceId,
        collectionId: this.collection.id,
        sourceType: 'crawl',
        status: 'ready',
        error: null,
        ...content,
        ...chunkTotals(chunks),
        createdAt: now,
        updatedAt: now,
      });
      if (!created) return null;
      await scoped.chunks.replaceForDocument(created.id, this.collection.id, dimensions, chunks);
      return created.id;
    });
    if (id === null) this.stats.duplicates++;
    else if (previous) this.stats.updated++;
    else this.stats.new++;
    return id;
  }

  // ---- bookkeeping --------------------------------------------------------------------

  /** Found and still to be fetched, within the page limit. */
  private updateQueued(): void {
    this.progress.queued = Math.max(0, Math.min(this.progress.found, this.website.maxPages) - this.progress.fetched);
  }

  /** Counts a page that could not be read, and lists the first ones with the reason. */
  private fail(url: string, reason: string): void {
    this.stats.failed++;
    if (this.failures.length < MAX_RUN_FAILURES) this.failures.push({ url, reason });
  }

  private skipScope(url: string): void {
    if (this.outOfScope.has(url)) return;
    this.outOfScope.add(url);
    this.stats.skippedScope++;
  }

  /**
   * Drops what the site no longer has: documents of pages gone (404/410) or superseded are
   * removed always; pages not reached are removed only after a complete crawl, since a
   * partial one (page limit, cancel) proves nothing about them.
   */
  private async removeGone(complete: boolean): Promise<void> {
    const doomed = new Set<string>(this.superseded);
    for (const [url, page] of this.known) {
      if (this.touched.has(url) || (!complete && !this.visited.has(url))) continue;
      await this.repos.websitePages.delete(this.website.id, url);
      if (page.documentId) doomed.add(page.documentId);
    }
    for (const id of doomed) {
      if (this.kept.has(id)) continue;
      if (await this.repos.documents.delete(id)) this.stats.removed++;
    }
  }

  /** Records progress and looks for a cancel request, at most every crawlCheckIntervalMs. */
  private async checkpoint(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastCheck < this.ctx.settings.crawlCheckIntervalMs) return;
    this.lastCheck = now;
    const current = await this.repos.crawlRuns.update(this.record.id, { progress: this.progress, stats: this.stats, failures: this.failures });
    if (!current || current.cancelRequested) {
      this.stop.abort();
      throw new CrawlStopped();
    }
    const total = Math.max(1, Math.min(this.website.maxPages, this.progress.found));
    await this.job.progress(Math.min(0.99, this.progress.fetched / total));
  }

  /** Runs `work` over `items`, crawlConcurrency at a time; the first failure stops the rest. */
  private async pool<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < items.length && !failed) {
        const item = items[next++]!;
        try {
          await work(item);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(this.ctx.settings.crawlConcurrency, items.length)) }, worker);
    const results = await Promise.allSettled(workers);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  }
}

const fileName = (url: string): string | undefined => new URL(url).pathname.split('/').pop() || undefined;
