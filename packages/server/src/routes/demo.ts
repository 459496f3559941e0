import { Hono } from 'hono';
import type { DemoState } from '../demo/seed-demo.js';
import { isWidgetBundle, type MissingWidgetBundle, type WidgetBundle } from '../delivery/widget-bundle.js';
import type { AppEnv } from '../http/env.js';
import { problemResponse } from '../http/problem.js';
import { versionedWidgetPath } from './widget-script.js';

/**
 * The page's policy: everything from this server only, nothing inline. The widget lives
 * within it: a script from 'self', requests to 'self', and constructable stylesheets (which
 * CSP does not govern).
 */
export const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const escapeAttribute = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const page = (demo: Extract<DemoState, { status: 'ready' }>, bundle: WidgetBundle): string => {
  const key = escapeAttribute(demo.publicKey);
  const base = escapeAttribute(demo.baseUrl);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Atrium demo: ask the docs</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/demo/demo.css">
  <script src="${versionedWidgetPath(bundle)}" data-assistant-key="${key}" data-base-url="${base}" data-mode="bubble" async></script>
</head>
<body>
  <main>
    <h1>Ask Atrium's documentation</h1>
    <p>This server made a demo assistant over Atrium's own <code>docs/</code> on its first start.
      Ask it how to embed the widget, how search works, or how to deploy Atrium.
      With no language model configured, the local extractive answerer quotes the passages it found and cites them.</p>
    <h2>Inline</h2>
    <p>The <code>&lt;atrium-chat mode="inline"&gt;</code> element, placed in the page:</p>
    <div class="inline-chat">
      <atrium-chat public-key="${key}" base-url="${base}" mode="inline"></atrium-chat>
    </div>
    <h2>Bubble</h2>
    <p>The launcher in the corner is the same widget from one script tag, which is all a site needs:</p>
    <pre><code>&lt;script src="${base}/widget.js" data-assistant-key="${key}" async&gt;&lt;/script&gt;</code></pre>
    <p>This page has no inline script or style and is served with <code>Content-Security-Policy: ${escapeAttribute(DEMO_CSP)}</code>.
      Atrium's <code>docs/widget.md</code> says more; the API reference is at <a href="/docs">/docs</a>.</p>
  </main>
</body>
</html>
`;
};

const CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0; }
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1rem 8rem; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { overflow-x: auto; padding: 0.75rem; border: 1px solid color-mix(in srgb, currentColor 25%, transparent); border-radius: 6px; }
.inline-chat atrium-chat { display: block; }
`;

/**
 * `/demo` (issue 18, ADR 0036): in embedded mode, a page with the demo assistant's widget in
 * bubble and inline modes. It loads the versioned widget script and nothing inline, under a
 * CSP of 'self' only. Where there is no demo (connected mode, no docs, the widget not built)
 * it is a 404 problem that says why.
 */
export const demoRoutes = (demo: () => DemoState, bundle: WidgetBundle | MissingWidgetBundle) =>
  new Hono<AppEnv>()
    .get('/demo', (c) => {
      const state = demo();
      if (state.status !== 'ready') return problemResponse(c, 404, `There is no demo on this server: ${state.reason}`, { code: 'demo_unavailable' });
      if (!isWidgetBundle(bundle)) return problemResponse(c, 503, `The demo needs the widget: ${bundle.missing}`, { code: 'widget_not_built' });
      return c.html(page(state, bundle), 200, { 'Content-Security-Policy': DEMO_CSP, 'Cache-Control': 'no-cache' });
    })
    .get('/demo/demo.css', (c) => c.body(CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }));
