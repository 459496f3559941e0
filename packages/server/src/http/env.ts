import type { Actor, AtriumCore } from '@atrium/core';
import type { Logger } from 'pino';

/** Hono's typed context for this app: what middleware puts on `c.var`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    actor: Actor;
    /** On widget routes: the request's Origin, once the widget it names has admitted it (CORS answers only then). */
    widgetOrigin: string;
  };
}

export interface AppDeps {
  core: AtriumCore;
  logger: Logger;
  /** Readiness: resolves when the database (and queue) answer. */
  ready: () => Promise<void>;
  sysadminKey?: string | undefined;
  trustProxy?: boolean;
  corsOrigins?: string[] | '*';
  /** Largest document upload accepted, in bytes (ATRIUM_MAX_UPLOAD_MB). */
  maxUploadBytes?: number;
}
