/**
 * `{url}` documents end to end at core level: checked at creation (a refused URL is never
 * stored), fetched by the ingest job through the safe web fetcher from a local site
 * (loopback opened with the allow-list, as ATRIUM_CRAWLER_ALLOW_HOSTS would), routed
 * through extraction like uploads, titled after the page, and cited with their URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AtriumCore } from '../../src/core.js';
import type { Actor } from '../../src/domain/identity.js';
import type { KnowledgeDocument } from '../../src/domain/knowledge.js';
import { startLocalSite, testDatabaseTargets, type LocalSite } from '../../src/test/index.js';
import { fixtureBytes } from '../extraction/fixtures.js';
import { expectAtriumError, newTenant, openHarness, type Harness } from '../helpers.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const settled = async (core: AtriumCore, actor: Actor, documentId: string): Promise<KnowledgeDocument> => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const document = await core.documents.get(actor, documentId);
    if (document.status === 'ready' || document.status === 'failed') return document;
    if (Date.now() > deadline) throw new Error(`document ${documentId} still ${document.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each(await testDatabaseTargets())('{url} documents on $name', (target) => {
  let h: Harness;
  let site: LocalSite;
  let hidden: LocalSite;
  let actor: Actor;
  let spaceId: string;
  let collectionId: string;

  beforeAll(async () => {
    // Not opened by the allow-list: stands for the private network.
    hidden = await startLocalSite({ '/secret': '<title>Secret</title><p>internal</p>' }, { host: '127.0.0.2' });
    const bytes = (type: string, body: Uint8Array) => (_req: unknown, res: import('node:http').ServerResponse) =>
      void res.writeHead(200, { 'content-type': type }).end(body);
    site = await startLocalSite({
      '/robots.txt': 'User-agent: *\nDisallow: /private/\n',
      '/article': (_req, res) => void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(fixtureBytes('article.html')),
      '/untitled.txt': bytes('text/plain', new TextEncoder().encode('Plain notes about lighthouse keepers and their logbooks.')),
      '/guide.pdf': bytes('application/pdf', fixtureBytes('two-pages.pdf')),
      '/download': bytes('application/octet-stream', fixtureBytes('report.docx')),
      '/report.docx': bytes(DOCX, fixtureBytes('report.docx')),
      '/picture.png': bytes('image/png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
      '/private/page': '<p>not for robots</p>',
      '/moved': (_req, res) => void res.writeHead(302, { location: `${hidden.origin}/secret` }).end(),
    });
    h = await openHarness(target, { crawler: { allowHosts: '127.0.0.1', perHostDelayMs: 0 } });
    actor = (await newTenant(h.core)).actor;
    spaceId = (await h.core.spaces.create(actor, { name: 'Web' })).id;
    collectionId = (await h.core.collections.create(actor, spaceId, { name: 'Pages' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await site?.close();
    await hidden?.close();
  });

  const add = async (url: string, title?: string) => {
    const created = await h.core.documents.create(actor, collectionId, { kind: 'url', url, title });
    return { ...created, settled: await settled(h.core, actor, created.document.id) };
  };

  it('fetches an HTML page, keeps its main content, and takes its title', async () => {
    const url = `${site.origin}/article#top`;
    const { document, job, settled: ready } = await add(url);
    expect(document).toMatchObject({ sourceType: 'url', source: `${site.origin}/article`, title: `${site.origin}/article`, status: 'queued', byteSize: 0 });
    expect(job).toMatchObject({ kind: 'ingest_document' });
    expect(ready).toMatchObject({ status: 'ready', error: null, format: 'html', title: 'How tidal power works' });
    expect(ready.byteSize).toBe(fixtureBytes('article.html').byteLength);
    const chunks = (await h.core.documents.chunks(actor, document.id, { limit: 100 })).data.map((c) => c.text).join('\n');
    expect(chunks).toContain('La Rance');
    expect(chunks).not.toContain('Subscribe to our newsletter');
    expect(chunks).not.toContain('Cookie settings');

    // The same URL again is the same document.
    const again = await h.core.documents.create(actor, collectionId, { kind: 'url', url: `${site.origin}/article` });
    expect(again).toMatchObject({ duplicate: true, document: { id: document.id } });

    // Search hits (and so citations) carry the page's URL.
    const hits = await h.core.collections.search(actor, collectionId, { query: 'La Rance tidal barrage', topK: 3 });
    expect(hits[0]).toMatchObject({ documentId: document.id, url: `${site.origin}/article` });
  });

  it('keeps a title the editor gave', async () => {
    const { settled: ready } = await add(`${site.origin}/untitled.txt`, '  Lighthouse notes ');
    expect(ready).toMatchObject({ status: 'ready', title: 'Lighthouse notes', format: 'text' });
  });

  it('reads PDF and DOCX, by the bytes when the server says octet-stream', async () => {
    expect((await add(`${site.origin}/guide.pdf`)).settled).toMatchObject({ status: 'ready', format: 'pdf' });
    expect((await add(`${site.origin}/report.docx`)).settled).toMatchObject({ status: 'ready', format: 'docx' });
    const download = await add(`${site.origin}/download`);
    expect(download.settled).toMatchObject({ status: 'ready', format: 'docx' });
  });

  it('fails the document with the reason when the fetch fails', async () => {
    expect((await add(`${site.origin}/nothing-here`)).settled).toMatchObject({ status: 'failed', error: expect.stringMatching(/404 Not Found/) });
    expect((await add(`${site.origin}/picture.png`)).settled).toMatchObject({ status: 'failed', error: expect.stringContaining('image/png') });
    expect((await add(`${site.origin}/private/page`)).settled).toMatchObject({ status: 'failed', error: expect.stringMatching(/robots\.txt.*disallows/) });
    expect(site.hits('/private/page')).toBe(0);
    // A public-looking page that redirects into the private network.
    expect((await add(`${site.origin}/moved`)).settled).toMatchObject({ status: 'failed', error: expect.stringMatching(/\(address\).*127\.0\.0\.2/) });
    expect(hidden.connections).toBe(0);
  });

  it('refuses a URL it may not fetch before storing anything (422 with the reason)', async () => {
    const before = (await h.core.documents.list(actor, collectionId, { limit: 100 }, {})).data.length;
    for (const [url, reason] of [
      [`${hidden.origin}/secret`, 'address'],
      ['http://169.254.169.254/latest/meta-data/', 'address'],
      ['http://[::ffff:10.0.0.1]/', 'address'],
      ['http://0x7f000002/', 'address'],
      ['file:///etc/passwd', 'scheme'],
      ['gopher://127.0.0.1:70/', 'scheme'],
      ['http://user:pw@example.com/', 'scheme'],
      ['http://does-not-exist.invalid/', 'dns'],
    ] as const) {
      const error = await expectAtriumError(h.core.documents.create(actor, collectionId, { kind: 'url', url }), 'invalid', 'url_refused');
      expect(error.details.errors, url).toEqual([{ path: 'url', message: expect.stringMatching(new RegExp(`^${reason}: `)) }]);
    }
    expect((await h.core.documents.list(actor, collectionId, { limit: 100 }, {})).data.length).toBe(before);
    expect(hidden.connections).toBe(0);
  });
});
