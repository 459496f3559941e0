import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_SITEMAP_BYTES, parseLastmod, parseSitemap, sitemapsInRobots } from './sitemaps.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('parseSitemap', () => {
  it('reads a urlset, with namespaces and escaped ampersands', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url><loc> https://e.com/a </loc><lastmod>2026-01-01</lastmod></url>
  <url><loc>https://e.com/b?x=1&amp;y=2</loc><lastmod>2026-11-30T10:00:00+01:00</lastmod></url>
  <url><loc>https://e.com/c</loc><lastmod>yesterday</lastmod></url>
  <url><lastmod>no loc</lastmod></url>
</urlset>`;
    expect(await parseSitemap(bytes(xml))).toEqual({
      kind: 'urlset',
      urls: ['https://e.com/a', 'https://e.com/b?x=1&y=2', 'https://e.com/c'],
      // W3C datetimes only; `yesterday` says nothing.
      // A date alone is the end of that UTC day.
      lastModified: new Map([
        ['https://e.com/a', new Date('2026-01-01T23:59:59.999Z')],
        ['https://e.com/b?x=1&y=2', new Date('2026-11-30T09:00:00Z')],
      ]),
    });
  });

  it('reads a sitemap index, gzipped', async () => {
    const xml = '<sitemapindex><sitemap><loc>https://e.com/one.xml</loc></sitemap><sitemap><loc>https://e.com/two.xml.gz</loc></sitemap></sitemapindex>';
    expect(await parseSitemap(gzipSync(bytes(xml)))).toEqual({ kind: 'index', sitemaps: ['https://e.com/one.xml', 'https://e.com/two.xml.gz'] });
  });

  it('says null for what is not a sitemap, a corrupt gzip, or a gzip that unpacks past the limit', async () => {
    expect(await parseSitemap(bytes('<html><body>hello</body></html>'))).toBeNull();
    expect(await parseSitemap(bytes('not xml at all <<<'))).toBeNull();
    expect(await parseSitemap(new Uint8Array([0x1f, 0x8b, 1, 2, 3]))).toBeNull();
    const bomb = gzipSync(new Uint8Array(MAX_SITEMAP_BYTES + 1024));
    expect(bomb.byteLength).toBeLessThan(200_000);
    expect(await parseSitemap(bomb)).toBeNull();
  });

  it('does not expand entities', async () => {
    const xml = '<!DOCTYPE x [<!ENTITY e "https://evil.example/">]><urlset><url><loc>&e;</loc></url></urlset>';
    const parsed = await parseSitemap(bytes(xml));
    expect(parsed?.kind === 'urlset' ? parsed.urls : []).not.toContain('https://evil.example/');
  });
});

describe('parseLastmod', () => {
  it('reads W3C datetimes as the latest moment they can mean, and nothing else', () => {
    expect(parseLastmod('2026-11-01')).toEqual(new Date('2026-11-01T23:59:59.999Z'));
    expect(parseLastmod('2026-11-01T10:00:00+01:00')).toEqual(new Date('2026-11-01T09:00:00Z'));
    expect(parseLastmod('2026-11-01T10:00:00')).toEqual(new Date('2026-11-01T10:00:00Z'));
    expect(parseLastmod('2026-11-01T10:00Z')).toEqual(new Date('2026-11-01T10:00:00Z'));
    for (const nonsense of ['yesterday', '11/01/2026', '2026-13-45', '']) expect(parseLastmod(nonsense), nonsense).toBeUndefined();
  });
});

describe('sitemapsInRobots', () => {
  it('reads the Sitemap lines, whatever their case', () => {
    expect(sitemapsInRobots('User-agent: *\nDisallow: /x\nSitemap: https://e.com/s1.xml\r\nsitemap:https://e.com/s2.xml.gz\n# Sitemap: no')).toEqual([
      'https://e.com/s1.xml',
      'https://e.com/s2.xml.gz',
    ]);
  });
});
