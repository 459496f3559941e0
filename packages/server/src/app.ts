import { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import type { AppDeps, AppEnv } from './http/env.js';
import { requestLog } from './http/middleware/request-log.js';
import { documentSecurityHeaders } from './http/middleware/security-headers.js';
import { requestMetrics } from './http/request-metrics.js';
import { handleError, noRoute } from './http/problem.js';
import { validationHook } from './http/validation.js';
import { apiRoutes } from './routes/api.js';
import { authRoutes } from './routes/auth.js';
import { demoRoutes } from './routes/demo.js';
import { isWidgetBundle, loadWidgetBundle } from './delivery/widget-bundle.js';
import { openAICompatibleRoutes } from './routes/openai-compatible.js';
import { operationRoutes } from './routes/operations.js';
import { sysadminRoutes } from './routes/sysadmin.js';
import { widgetRoutes } from './routes/widget.js';
import { widgetScriptRoutes } from './routes/widget-script.js';

export const API_VERSION = '1.0.0';

const noDemo = () => ({ status: 'unavailable', reason: 'this server was started without one' }) as const;

/**
 * The HTTP app: transport only, every route mapping a request onto one core use case.
 *
 * Every request gets a request id, a logger, metrics and a log line. Everything else belongs
 * to a route group, a sub-app whose own `use` says what runs before its routes:
 *
 * | group | path | its middleware |
 * |---|---|---|
 * | operations | `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, `/docs` | browser-document security headers |
 * | widget script | `/widget.js`, `/widget/<version>.js` | browser-document security headers (ETag, caching and CORS `*` on the route) |
 * | demo | `/demo`, `/demo/demo.css` | browser-document security headers (the page's own CSP on the route) |
 * | public auth | `/api/v1/auth` | API headers, CORS; body limit per route |
 * | sysadmin | `/api/v1/sysadmin` | API headers, CORS, the operator key |
 * | widget | `/api/v1/widget` | API headers, `widgetCors` (only origins the widget allows); each route admits its key or visitor session, chat counts against the widget's budgets |
 * | authenticated API | `/api/v1` | API headers, CORS, authentication; body limits and assistant-scoped keys per route |
 * | OpenAI-compatible | `/v1` | API headers, CORS, its own authentication and error format |
 *
 * The public groups under `/api/v1` are mounted before the authenticated API and answer
 * every path of theirs (a 404 at the end of each), so none of their requests reaches its
 * authentication. `server/test/route-chains.test.ts` prints the chain each route runs.
 */
export const createApp = (deps: AppDeps) => {
  const metrics = requestMetrics();
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });

  app.use(requestLog({ logger: deps.logger, metrics }));
  // What a browser may render: everything outside the API groups, which set their own.
  app.use(except(['/api/v1/*', '/v1/*'], documentSecurityHeaders()));

  app.route('/', operationRoutes(deps, metrics.registry, () => openApiDocument()));
  // Read once, here: requests never touch the disk (ADR 0035).
  const bundle = deps.widgetBundle ?? loadWidgetBundle();
  if (!isWidgetBundle(bundle)) deps.logger.warn(`/widget.js and /demo answer 503: ${bundle.missing}`);
  app.route('/', widgetScriptRoutes(bundle));
  app.route('/', demoRoutes(deps.demo ?? noDemo, bundle));
  app.route('/api/v1/auth', authRoutes(deps));
  app.route('/api/v1/sysadmin', sysadminRoutes(deps));
  app.route('/api/v1/widget', widgetRoutes(deps));
  app.route('/api/v1', apiRoutes(deps));
  app.route('/v1', openAICompatibleRoutes(deps));

  app.notFound(noRoute);
  app.onError(handleError);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A user access token (JWT from /api/v1/auth/login) or an API key (atr_sk_...)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'widgetPublicKey', {
    type: 'apiKey',
    in: 'query',
    name: 'key',
    description: "A widget's public key (atr_pk_...), from a page on an origin the widget allows",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'visitorToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'A widget visitor token (from POST /api/v1/widget/sessions); valid only on /api/v1/widget/*',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'sysadminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator key from ATRIUM_SYSADMIN_KEY',
  });
  // Built once, on first request: the routes do not change after start.
  let document: unknown;
  const openApiDocument = () =>
    (document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Atrium API',
        version: API_VERSION,
        description: 'AI assistants grounded in your documents and websites. Errors are RFC 9457 problem details.',
      },
    }));
  return app;
};

export type AtriumApp = ReturnType<typeof createApp>;
