import type { AppDeps } from '../http/env.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { noRoute } from '../http/problem.js';
import { createRouter } from '../http/router.js';

/**
 * The widget's public API, `/api/v1/widget`: browsers on customers' sites, holding a public
 * key (`atr_pk_...`) instead of a credential. Its own CORS (per assistant origin), key
 * checks and rate limits go on this group with its routes. Until then every path here is a
 * 404, and never reaches the authenticated API.
 */
export const widgetRoutes = (_deps: AppDeps) => {
  const router = createRouter();
  router.use(apiSecurityHeaders());
  return router.all('*', noRoute);
};
