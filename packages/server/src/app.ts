import { describeBytes } from '@atrium/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from './http/env.js';
import { authenticate } from './http/middleware/authenticate.js';
import { limitBodies } from './http/middleware/body-limit.js';
import { apiCors } from './http/middleware/cors.js';
import { edge } from './http/middleware/edge.js';
import { requestMetrics } from './http/request-metrics.js';
import { handleError, problemResponse } from './http/problem.js';
import { validationHook } from './http/validation.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { assistantRoutes } from './routes/assistants.js';
import { chatRoutes } from './routes/chat.js';
import { openAICompatibleRoutes, openAIErrorResponse } from './routes/openai-compatible.js';
import { authRoutes } from './routes/auth.js';
import { docsRoutes } from './routes/docs.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { operationRoutes } from './routes/operations.js';
import { spaceRoutes } from './routes/spaces.js';
import { sysadminRoutes } from './routes/sysadmin.js';
import { userRoutes } from './routes/users.js';

export const API_VERSION = '1.0.0';

// Routes under /api/v1 that authenticate differently (or not at all).
const UPLOAD_PATH = /^\/api\/v1\/collections\/[^/]+\/documents\/?$/;

const PUBLIC_API_PREFIXES = ['/api/v1/auth/', '/api/v1/sysadmin/', '/api/v1/widget/'];

// Where API keys scoped to one assistant are accepted: talking to that assistant. Core
// checks that the assistant is theirs and refuses them any change.
const ASSISTANT_KEY_PATHS = /^\/api\/v1\/(?:assistants\/[^/]+(?:\/(?:chat|conversations))?|conversations\/[^/]+|messages\/[^/]+\/feedback|models)\/?$/;

/** The HTTP app: transport only. Every route maps a request onto one core use case. */
export const createApp = (deps: AppDeps) => {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
  const metrics = requestMetrics();
  const requireActor = authenticate(deps.core);
  const requireActorOrAssistantKey = authenticate(deps.core, { allowAssistantKeys: true });

  // Request id, security headers (an API set and a browser-document set), the request log
  // line and metrics.
  app.use('*', edge({ logger: deps.logger, metrics }));
  app.use('/api/*', apiCors({ origins: deps.corsOrigins ?? '*' }));
  // Document uploads may be large (ATRIUM_MAX_UPLOAD_MB); every other body is small.
  const limitJson = bodyLimit({
    maxSize: deps.maxJsonBytes ?? 1024 * 1024,
    onError: (c) => problemResponse(c, 413, 'The request body is too large'),
  });
  const uploadLimit = deps.maxUploadBytes ?? 50 * 1024 * 1024;
  const limitUpload = bodyLimit({
    // Multipart framing adds a little on top of the file itself.
    maxSize: uploadLimit + 64 * 1024,
    onError: (c) =>
      problemResponse(c, 413, `The upload is larger than the ${describeBytes(uploadLimit)} limit`, {
        code: 'file_too_large',
      }),
  });
  app.use('/v1/*', apiCors({ origins: deps.corsOrigins ?? '*' }));
  const limitOpenAIJson = bodyLimit({
    maxSize: deps.maxJsonBytes ?? 1024 * 1024,
    onError: (c) => openAIErrorResponse(c, 413, 'The request body is too large', 'request_too_large'),
  });
  app.use('/v1/*', limitBodies(() => limitOpenAIJson));
  app.use(
    '/api/*',
    limitBodies((c) => (c.req.method === 'POST' && UPLOAD_PATH.test(c.req.path) ? limitUpload : limitJson)),
  );
  app.use('/api/v1/*', (c, next) => {
    const path = c.req.path;
    if (PUBLIC_API_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    return ASSISTANT_KEY_PATHS.test(path) ? requireActorOrAssistantKey(c, next) : requireActor(c, next);
  });

  app.route('/', operationRoutes(deps, metrics.registry));
  app.route('/', docsRoutes());
  app.route('/', authRoutes(deps));
  app.route('/', userRoutes(deps));
  app.route('/', apiKeyRoutes(deps));
  app.route('/', spaceRoutes(deps));
  app.route('/', knowledgeRoutes(deps));
  app.route('/', assistantRoutes(deps));
  app.route('/', chatRoutes(deps));
  app.route('/', openAICompatibleRoutes(deps));
  app.route('/', sysadminRoutes(deps));

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
  app.openAPIRegistry.registerComponent('securitySchemes', 'sysadminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator key from ATRIUM_SYSADMIN_KEY',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Atrium API',
      version: API_VERSION,
      description: 'AI assistants grounded in your documents and websites. Errors are RFC 9457 problem details.',
    },
  });

  app.notFound((c) =>
    c.req.path.startsWith('/v1/')
      ? openAIErrorResponse(c, 404, `Unknown request URL: ${c.req.method} ${c.req.path}`, 'unknown_url')
      : problemResponse(c, 404, `No route for ${c.req.method} ${c.req.path}`),
  );
  app.onError(handleError);
  return app;
};

export type AtriumApp = ReturnType<typeof createApp>;
