import { Hono, type Context } from 'hono';
import { ifNoneMatchMatches } from '../http/conditional.js';
import type { AppEnv } from '../http/env.js';
import { problemResponse } from '../http/problem.js';
import { isWidgetBundle, type MissingWidgetBundle, type WidgetBundle } from '../delivery/widget-bundle.js';

/** `/widget.js` itself: any page may pin it, so caches check back within minutes (ETag → 304). */
export const WIDGET_SCRIPT_CACHE = 'public, max-age=300';
/** `/widget/<version>.js`: its bytes never change, so it is kept for a year. */
export const VERSIONED_SCRIPT_CACHE = 'public, max-age=31536000, immutable';

/** The path of the bundle's versioned URL. */
export const versionedWidgetPath = (bundle: WidgetBundle): string => `/widget/${bundle.version}.js`;

const scriptHeaders = (bundle: WidgetBundle, cacheControl: string): Record<string, string> => ({
  'Content-Type': 'text/javascript; charset=utf-8',
  'Cache-Control': cacheControl,
  ETag: bundle.etag,
  // A public script: any page may load it, with or without `crossorigin`, from any origin.
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
});

const serve = (c: Context<AppEnv>, bundle: WidgetBundle, cacheControl: string): Response => {
  const headers = scriptHeaders(bundle, cacheControl);
  if (ifNoneMatchMatches(c, bundle.etag)) return c.body(null, 304, headers);
  return c.body(bundle.bytes, 200, headers);
};

const notBuilt = (c: Context<AppEnv>, bundle: MissingWidgetBundle): Response =>
  problemResponse(c, 503, `The widget is not available on this server: ${bundle.missing}`, {
    code: 'widget_not_built',
    headers: { 'Cache-Control': 'no-store' },
  });

/**
 * The widget's script, at the root: `/widget.js`, the URL pages paste (strong ETag, five
 * minutes' max-age), and `/widget/<version>.js`, named by the bytes' SHA-256 (a year,
 * immutable). The bundle was read once, at start-up (ADR 0035); a version that is no longer
 * the current one redirects to the current one.
 */
export const widgetScriptRoutes = (bundle: WidgetBundle | MissingWidgetBundle) =>
  new Hono<AppEnv>()
    .get('/widget.js', (c) => (isWidgetBundle(bundle) ? serve(c, bundle, WIDGET_SCRIPT_CACHE) : notBuilt(c, bundle)))
    .get('/widget/:file', (c) => {
      if (!isWidgetBundle(bundle)) return notBuilt(c, bundle);
      const file = c.req.param('file');
      if (file === `${bundle.version}.js`) return serve(c, bundle, VERSIONED_SCRIPT_CACHE);
      // Another build's name: the page pinned a version this server no longer has.
      if (/^[0-9a-f]{16}\.js$/.test(file)) {
        c.header('Cache-Control', 'no-cache');
        return c.redirect(versionedWidgetPath(bundle), 302);
      }
      return problemResponse(c, 404, `No route for ${c.req.method} ${c.req.path}`);
    });
