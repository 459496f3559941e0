import { z } from '@hono/zod-openapi';
import type { Context, TypedResponse } from 'hono';
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

/**
 * A function of a domain value that runs once per object: its result is kept beside the
 * object for as long as the object lives. For values that many requests share, like the user
 * and tenant the authentication cache hands to every request of a user for a moment, whose
 * three `toISOString` calls were the largest cost of `GET /api/v1/me` (ADR 0018). Sound
 * because core never mutates a domain value it has handed out; repositories make new ones.
 */
export const oncePerObject = <T extends object, R>(make: (value: T) => R): ((value: T) => R) => {
  const made = new WeakMap<T, R>();
  return (value) => {
    if (made.has(value)) return made.get(value) as R;
    const result = make(value);
    made.set(value, result);
    return result;
  };
};

/** A serialiser that runs once per object (`oncePerObject`); the JSON form is frozen, since it is shared. */
export const jsonOncePerObject = <T extends object, R extends object>(toJson: (value: T) => R): ((value: T) => Readonly<R>) =>
  oncePerObject((value: T) => Object.freeze(toJson(value)));
/**
 * A 200 JSON response whose body was serialised ahead of time from a value of type `T`:
 * what `c.json(value, 200)` would send, typed the same for the route's response schema.
 */
export const jsonTextResponse = <T>(c: Context, text: JsonText<T>): Response & TypedResponse<T, 200, 'json'> =>
  c.body(text, 200, { 'Content-Type': 'application/json' }) as unknown as Response & TypedResponse<T, 200, 'json'>;

/** JSON text known to encode a `T` (a type-only mark: at run time it is a plain string). */
export type JsonText<T> = string & { readonly __encodes: T };

export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
