import { describeBytes } from '@atrium/core';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createEdge } from './http/edge.js';
import type { AppDeps, AppEnv } from './http/env.js';
import { gatedDefaultRouter } from './http/gated-router.js';
import { createGateway } from './http/gateway.js';
import { callerIdentifier } from './http/middleware/authenticate.js';
import { hasNoBody } from './http/middleware/body-limit.js';
import { apiCors } from './http/middleware/cors.js';
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
  const metrics = requestMetrics();
  const identifyCaller = callerIdentifier(deps.core);

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
  const limitOpenAIJson = bodyLimit({
    maxSize: deps.maxJsonBytes ?? 1024 * 1024,
    onError: (c) => openAIErrorResponse(c, 413, 'The request body is too large', 'request_too_large'),
  });

  // What every request goes through, in place of its route's first handler (ADR 0020).
  const gate = createGateway({
    edge: createEdge({ logger: deps.logger, metrics }),
    corsFor: apiCors({ origins: deps.corsOrigins ?? '*' }),
    bodyLimitFor: (c) => {
      if (hasNoBody(c)) return undefined;
      const path = c.req.path;
      if (path.startsWith('/v1/')) return limitOpenAIJson;
      if (!path.startsWith('/api/')) return undefined;
      return c.req.method === 'POST' && UPLOAD_PATH.test(path) ? limitUpload : limitJson;
    },
    identify: (c) => {
      const path = c.req.path;
      if (!path.startsWith('/api/v1/') || PUBLIC_API_PREFIXES.some((prefix) => path.startsWith(prefix))) return undefined;
      return identifyCaller(c, ASSISTANT_KEY_PATHS.test(path));
    },
    onError: handleError,
  });
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: validationHook as never,
    router: gatedDefaultRouter(gate),
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

  // A request no route matches (a preflight among them) goes through the gateway here.
  app.notFound((c) =>
    gate(c, () =>
      c.req.path.startsWith('/v1/')
        ? openAIErrorResponse(c, 404, `Unknown request URL: ${c.req.method} ${c.req.path}`, 'unknown_url')
        : problemResponse(c, 404, `No route for ${c.req.method} ${c.req.path}`),
    ),
  );
  app.onError(handleError);
  return app;
};

export type AtriumApp = ReturnType<typeof createApp>;
