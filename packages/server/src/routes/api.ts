import type { AppDeps } from '../http/env.js';
import { authenticate } from '../http/middleware/authenticate.js';
import { apiCors } from '../http/middleware/cors.js';
import { apiSecurityHeaders } from '../http/middleware/security-headers.js';
import { noRoute } from '../http/problem.js';
import { createRouter } from '../http/router.js';
import { apiKeyRoutes } from './api-keys.js';
import { assistantRoutes } from './assistants.js';
import { chatRoutes } from './chat.js';
import { knowledgeRoutes } from './knowledge.js';
import { spaceRoutes } from './spaces.js';
import { userRoutes } from './users.js';
import { websiteRoutes } from './websites.js';
import { widgetSettingsRoutes } from './widget-settings.js';

/**
 * The authenticated API, `/api/v1`: everything a user or an API key does. One
 * authentication for all of it; the routes an assistant-scoped key may call say so with
 * `acceptsAssistantKeys`, and routes that take a body declare its limit.
 *
 * Mounted after the public groups under `/api/v1` (auth, sysadmin, widget): they answer
 * every path of theirs, so their requests never reach this group's middleware.
 */
export const apiRoutes = (deps: AppDeps) => {
  const router = createRouter();
  router.use(apiSecurityHeaders(), apiCors({ origins: deps.corsOrigins ?? '*' }), authenticate(deps.core));
  return router
    .route('/', userRoutes(deps))
    .route('/', apiKeyRoutes(deps))
    .route('/', spaceRoutes(deps))
    .route('/', knowledgeRoutes(deps))
    .route('/', websiteRoutes(deps))
    .route('/', assistantRoutes(deps))
    .route('/', chatRoutes(deps))
    .route('/', widgetSettingsRoutes(deps))
    .all('*', noRoute);
};
