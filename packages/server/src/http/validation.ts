import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { problemResponse } from './problem.js';

/** Every route's validation failures become one 422 naming the offending fields. */
export const validationHook: Hook<unknown, Env, string, unknown> = (result, c) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || result.target,
    message: issue.message,
  }));
  return problemResponse(c, 422, 'The request is invalid', { code: 'validation_failed', errors });
};
