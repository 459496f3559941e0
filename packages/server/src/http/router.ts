import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { validationHook } from './validation.js';

/** A router whose validation failures all become the same 422 problem. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
