import type { Context } from 'hono';

/**
 * Whether a request's `If-None-Match` matches `etag` (RFC 9110 §13.1.2: weak comparison, a
 * list of tags, or `*` for any current representation), so that a 304 may answer it.
 */
export const ifNoneMatchMatches = (c: Context, etag: string): boolean => {
  const header = c.req.header('if-none-match');
  if (!header) return false;
  const strong = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === strong;
  });
};
