import type { Actor, AdmittedVisitor, AtriumCore } from '@atrium/core';
import type { Logger } from 'pino';
import type { DemoState } from '../demo/seed-demo.js';
import type { MissingWidgetBundle, WidgetBundle } from '../delivery/widget-bundle.js';

/** Hono's typed context for this app: what middleware puts on `c.var`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    actor: Actor;
    /** On widget routes: the request's Origin, once the widget it names has admitted it (CORS answers only then). */
    widgetOrigin: string;
    /** On widget routes for visitors: the visitor, once their session and widget were checked. */
    visitor: AdmittedVisitor;
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
  /** The widget's script-tag bundle, read once; by default `@atrium/widget/widget.js` is read when the app is made. */
  widgetBundle?: WidgetBundle | MissingWidgetBundle;
  /** What `/demo` shows (embedded mode seeds it after start-up); without it, `/demo` is a 404 problem. */
  demo?: () => DemoState;
}
