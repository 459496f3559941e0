import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { problemResponse } from './problem.js';

/** Paths of the strings in `value` that contain U+0000, which PostgreSQL text cannot store. */
const nulPaths = (value: unknown, path: string[] = []): string[] => {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulPaths(v, [...path, String(i)]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nulPaths(v, [...path, k]));
  return [];
};

/** Every route's validation failures become one 422 naming the offending fields. */
export const validationHook: Hook<unknown, Env, string, unknown> = (result, c) => {
  if (result.success) {
    // A NUL character would otherwise reach the database and fail there as a 500.
    if (result.target === 'param') return; // ids that cannot exist are simply not found (404)
    const paths = nulPaths(result.data);
    if (paths.length === 0) return;
    const errors = paths.map((path) => ({ path: path || result.target, message: 'Must not contain NUL (U+0000) characters' }));
    return problemResponse(c, 422, 'The request is invalid', { code: 'validation_failed', errors });
  }
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || result.target,
    message: issue.message,
  }));
  return problemResponse(c, 422, 'The request is invalid', { code: 'validation_failed', errors });
};
