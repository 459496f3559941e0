import { describe, expect, it } from 'vitest';
import { crawlScope, linkKind, normalizeUrl, validPattern } from './urls.js';

describe('normalizeUrl', () => {
  it('gives one spelling per page', () => {
    expect(normalizeUrl('HTTPS://Example.COM:443/a/b/?utm_source=x&b=2&a=1&fbclid=z#part')).toBe('https://example.com/a/b?a=1&b=2');
    expect(normalizeUrl('http://example.com:80')).toBe('http://example.com/');
    expect(normalizeUrl('https://example.com/docs//')).toBe('https://example.com/docs');
    expect(normalizeUrl('https://example.com/?gclid=1')).toBe('https://example.com/');
    expect(normalizeUrl('https://example.com:8443/x')).toBe('https://example.com:8443/x');
  });

  it('resolves relative links against a base', () => {
    expect(normalizeUrl('../b?q=1#x', 'https://example.com/docs/a/page')).toBe('https://example.com/docs/b?q=1');
    expect(normalizeUrl('//cdn.example.com/x', 'https://example.com/')).toBe('https://cdn.example.com/x');
  });

  it('refuses what is not an http(s) page address', () => {
    for (const raw of ['mailto:a@b.c', 'javascript:alert(1)', 'file:///etc/passwd', 'gopher://x/', 'ftp://x/', 'https://user:pw@example.com/', 'not a url'])
      expect(normalizeUrl(raw), raw).toBeNull();
  });
});

describe('crawlScope', () => {
  const scope = (url: string, include: string[] = [], exclude: string[] = [], wholeSite = false) => crawlScope({ url, include, exclude }, wholeSite);

  it('keeps the origin and the start section', () => {
    const docs = scope('https://example.com/docs/guide');
    expect(docs.pathPrefix).toBe('/docs/guide');
    expect(docs.contains('https://example.com/docs/guide')).toBe(true);
    expect(docs.contains('https://example.com/docs/guide/install')).toBe(true);
    expect(docs.contains('https://example.com/docs/guidebook')).toBe(false);
    expect(docs.contains('https://example.com/blog')).toBe(false);
    expect(docs.contains('http://example.com/docs/guide/x')).toBe(false);
    expect(docs.contains('https://www.example.com/docs/guide/x')).toBe(false);
    expect(scope('https://example.com/docs/index.html').pathPrefix).toBe('/docs');
    expect(scope('https://example.com/').contains('https://example.com/anything/at/all')).toBe(true);
    expect(scope('https://example.com/sitemap.xml', [], [], true).pathPrefix).toBe('/');
  });

  it('applies include and exclude globs to the path', () => {
    const s = scope('https://example.com/', ['/docs/**', '**/*.html'], ['/docs/old/**']);
    expect(s.contains('https://example.com/docs/a')).toBe(true);
    expect(s.contains('https://example.com/x/y.html')).toBe(true);
    expect(s.contains('https://example.com/blog/a')).toBe(false);
    expect(s.contains('https://example.com/docs/old/a')).toBe(false);
    expect(s.contains('https://example.com/docs/old')).toBe(false);
  });

  it('checks patterns', () => {
    expect(validPattern('/blog/**')).toBe(true);
    expect(validPattern('/docs/v[12]/*')).toBe(true);
  });
});

describe('linkKind', () => {
  it('tells pages, files and the rest apart by extension', () => {
    expect(linkKind('https://e.com/a')).toBe('page');
    expect(linkKind('https://e.com/a.html')).toBe('page');
    expect(linkKind('https://e.com/a.php?x=1')).toBe('page');
    expect(linkKind('https://e.com/report.PDF')).toBe('file');
    expect(linkKind('https://e.com/letter.docx')).toBe('file');
    expect(linkKind('https://e.com/logo.svg')).toBe('other');
    expect(linkKind('https://e.com/archive.zip')).toBe('other');
  });
});
