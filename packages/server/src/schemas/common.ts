import { z } from '@hono/zod-openapi';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@atrium/core';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    conversationId: z
      .string()
      .optional()
      .openapi({ description: 'A chat answered with `stream: false` that failed after its question was stored: the conversation to continue' }),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

export const IdParam = <N extends string>(name: N) =>
  z.object({
    [name]: z.string().min(1).openapi({ param: { name, in: 'path' }, example: '01937f5e-6c1a-7b2e-9d4f-2a9c1e0b7d11' }),
  } as Record<N, z.ZodString>);

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE).openapi({ example: 20 }),
  cursor: z.string().max(200).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** The error responses every authenticated route may give, for the OpenAPI document. */
export const errorResponses = {
  400: problem('Malformed request (e.g. invalid JSON)'),
  401: problem('Missing or invalid credentials'),
  403: problem('Authenticated but not allowed'),
  404: problem('Absent, or in another tenant'),
  409: problem('Conflicts with existing state'),
  413: problem('Body too large'),
  422: problem('Invalid input; `errors` names the fields'),
  429: problem('Rate limited; see Retry-After'),
} as const;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }];

export const iso = (d: Date): string => d.toISOString();

export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** The `Idempotency-Key` header of the routes that honour it (API.md §Conventions). */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({
      description:
        'Makes a retry safe: a repeated key (same tenant, within 24 h) with the same request is answered with the first response (header `Idempotent-Replayed: true`) instead of acting twice; the same key with a different request is a 422, and while the first request still runs a retry gets a 409 with `Retry-After`.',
    }),
});
