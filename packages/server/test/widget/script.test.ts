import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtriumCore } from '@atrium/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, loadWidgetBundle, type DemoState, type WidgetBundle } from '../../src/index.js';
import { call, captureLogger, expectProblem, silentLogger } from '../helpers.js';

/** `/widget.js`, `/widget/<version>.js` and `/demo`, in-process over a placeholder bundle (ADR 0035, 0036). */

const BUNDLE = 'customElements.define("atrium-chat", class extends HTMLElement {});\n';
const VERSION = createHash('sha256').update(BUNDLE).digest('hex').slice(0, 16);
const READY: DemoState = { status: 'ready', assistantId: 'a1', publicKey: 'atr_pk_demo"<key>', baseUrl: 'http://localhost:3000' };

describe('the widget script and the demo page', () => {
  let dir: string;
  let file: string;
  let bundle: WidgetBundle;
  const appWith = (deps: { demo?: () => DemoState; bundlePath?: string } = {}) =>
    createApp({
      core: {} as AtriumCore,
      logger: silentLogger(),
      ready: async () => {},
      widgetBundle: loadWidgetBundle(deps.bundlePath ?? file),
      ...(deps.demo && { demo: deps.demo }),
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atrium-widget-script-'));
    file = join(dir, 'widget.js');
    await writeFile(file, BUNDLE);
    bundle = loadWidgetBundle(file) as WidgetBundle;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the bundle by the SHA-256 of its bytes', () => {
    expect(bundle.version).toBe(VERSION);
    expect(bundle.etag).toBe(`"${VERSION}"`);
    expect(new TextDecoder().decode(bundle.bytes)).toBe(BUNDLE);
  });

  it('/widget.js: the script, a strong ETag, five minutes of cache, readable from any origin', async () => {
    const r = await call(appWith(), 'GET', '/widget.js');
    expect(r.status).toBe(200);
    expect(r.text).toBe(BUNDLE);
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('etag')).toBe(`"${VERSION}"`);
    expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('/widget.js answers If-None-Match with a 304 and no body (weak and listed tags too)', async () => {
    const app = appWith();
    for (const tag of [`"${VERSION}"`, `W/"${VERSION}"`, `"other", "${VERSION}"`, '*']) {
      const r = await call(app, 'GET', '/widget.js', { headers: { 'If-None-Match': tag } });
      expect(r.status, tag).toBe(304);
      expect(r.text).toBe('');
      expect(r.headers.get('etag')).toBe(`"${VERSION}"`);
      expect(r.headers.get('cache-control')).toBe('public, max-age=300');
    }
    const stale = await call(app, 'GET', '/widget.js', { headers: { 'If-None-Match': '"0000000000000000"' } });
    expect(stale.status).toBe(200);
    expect(stale.text).toBe(BUNDLE);
  });

  it('/widget/<version>.js is immutable for a year; an older version redirects to the current one', async () => {
    const app = appWith();
    const r = await call(app, 'GET', `/widget/${VERSION}.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe(BUNDLE);
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(r.headers.get('etag')).toBe(`"${VERSION}"`);
    expect(r.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect((await call(app, 'GET', `/widget/${VERSION}.js`, { headers: { 'If-None-Match': `"${VERSION}"` } })).status).toBe(304);

    const old = await call(app, 'GET', '/widget/0123456789abcdef.js');
    expect(old.status).toBe(302);
    expect(old.headers.get('location')).toBe(`/widget/${VERSION}.js`);
    expect(old.headers.get('cache-control')).toBe('no-cache');
    for (const path of ['/widget/index.js', '/widget/..%2Fpackage.json', `/widget/${VERSION}.js.map`]) {
      expectProblem(await call(app, 'GET', path), 404, 'not_found');
    }
  });

  it('reads the bundle once, when the app is made: a rebuild shows only after a restart', async () => {
    const own = join(dir, 'rebuilt.js');
    await writeFile(own, 'first();');
    const app = appWith({ bundlePath: own });
    await writeFile(own, 'second();');
    expect((await call(app, 'GET', '/widget.js')).text).toBe('first();');
  });

  it('without a built bundle the server starts, logs one clear line, and answers 503 problems', async () => {
    const { logger, text } = captureLogger();
    const app = createApp({ core: {} as AtriumCore, logger, ready: async () => {}, widgetBundle: loadWidgetBundle(join(dir, 'absent.js')), demo: () => READY });
    expect(text()).toMatch(/\/widget\.js and \/demo answer 503: the widget bundle .*absent\.js is not there: build the widget/);
    for (const path of ['/widget.js', `/widget/${VERSION}.js`, '/demo']) {
      const r = await call(app, 'GET', path);
      expectProblem(r, 503, 'widget_not_built');
      expect(r.body.detail).toContain('build the widget');
    }
    expect((await call(app, 'GET', '/healthz')).status).toBe(200);
  });

  it('/demo is a 404 problem that says why where there is no demo (connected mode, for one)', async () => {
    const reason = 'the demo is part of embedded mode, and this server runs on PostgreSQL (DATABASE_URL)';
    const r = await call(appWith({ demo: () => ({ status: 'unavailable', reason }) }), 'GET', '/demo');
    expectProblem(r, 404, 'demo_unavailable');
    expect(r.body.detail).toBe(`There is no demo on this server: ${reason}`);
    expectProblem(await call(appWith(), 'GET', '/demo'), 404, 'demo_unavailable');
  });

  it('/demo: the widget inline and as a bubble, from the versioned script, nothing inline, under a CSP of self', async () => {
    const app = appWith({ demo: () => READY });
    const r = await call(app, 'GET', '/demo');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = r.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-|\*|https?:/);
    // Every script has a src, there is no style element or attribute, no event handler.
    const scripts = [...r.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toContain(`src="/widget/${VERSION}.js"`);
    expect(scripts[0]![2]).toBe('');
    expect(r.text).not.toMatch(/<style|\sstyle=|\son\w+=/i);
    // The key, escaped, in the script tag (the bubble) and the inline element.
    const key = 'atr_pk_demo&quot;&lt;key&gt;';
    expect(scripts[0]![1]).toContain(`data-assistant-key="${key}"`);
    expect(scripts[0]![1]).toContain('data-mode="bubble"');
    expect(r.text).toContain(`<atrium-chat public-key="${key}" base-url="http://localhost:3000" mode="inline">`);
    expect(r.text).not.toContain('atr_pk_demo"<key>');
    // What it links is local and answers.
    const refs = [...r.text.matchAll(/<[a-z][^>]*?\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((ref) => ref !== 'data:,');
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/[^/]/);
      expect((await call(app, 'GET', ref)).status, ref).toBe(200);
    }
    const css = await call(app, 'GET', '/demo/demo.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });
});
