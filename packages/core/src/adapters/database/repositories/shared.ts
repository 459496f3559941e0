import { AtriumError, conflict, invalid } from '../../../domain/errors.js';
import { gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Page, PageRequest } from '../../../domain/pagination.js';

/** Adds `tenant_id = $tenant` to a table's conditions: how tenant repositories scope every statement. */
export type InTenant = (table: { tenantId: PgColumn }, ...conditions: (SQL | undefined)[]) => SQL | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids arrive from URLs; anything that is not a UUID cannot name a row, so it is simply absent. */
export const isId = (value: string): boolean => UUID.test(value);

/**
 * Cursors are the last row's key (an id, or a chunk's ordinal), base64url-encoded so clients
 * treat them as opaque. Every list decodes them here, and answers a cursor it did not make
 * with the same 422.
 */
export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

const decodeKey = <K>(cursor: string | null | undefined, parse: (key: string) => K | null): K | null => {
  if (!cursor) return null;
  const key = parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (key === null) throw invalid([{ path: 'cursor', message: 'Not a cursor returned by this API' }]);
  return key;
};

/** The id a cursor carries (lists ordered by id). */
export const decodeCursor = (cursor: string | null | undefined): string | null => decodeKey(cursor, (key) => (isId(key) ? key : null));

/** The condition for the page after a cursor, in a list ordered by `column` (an id) ascending. */
export const afterId = (column: PgColumn, cursor: string | null | undefined): SQL | undefined => {
  const after = decodeCursor(cursor);
  return after ? gt(column, after) : undefined;
};

/** The same for a list ordered newest first (ids are UUIDv7, so id order is creation order). */
export const beforeId = (column: PgColumn, cursor: string | null | undefined): SQL | undefined => {
  const before = decodeCursor(cursor);
  return before ? lt(column, before) : undefined;
};

/** The ordinal a cursor carries (a document's chunks, ordered by ordinal). */
export const decodeOrdinalCursor = (cursor: string | null | undefined): number | null =>
  decodeKey(cursor, (key) => (/^\d{1,9}$/.test(key) ? Number(key) : null));

/** Turns `limit + 1` fetched rows into a page (the extra row only proves there is more). */
export const toPage = <T>(rows: T[], page: PageRequest, keyOf: (row: T) => string): Page<T> => {
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > page.limit && last ? encodeCursor(keyOf(last)) : null };
};

const UNIQUE_CONFLICTS: Record<string, [code: string, message: string]> = {
  users_email_unique: ['email_taken', 'A user with this email already exists'],
  space_memberships_pk: ['already_member', 'This user is already a member of the space'],
  documents_content_hash_unique: ['document_duplicate', 'The collection holds this content already'],
};

/**
 * Constraint violations that a concurrent request can cause (two sign-ups with one
 * email) become domain conflicts instead of 500s. Drizzle wraps driver errors in
 * `cause`, so we look through the chain.
 */
export const translateDatabaseError = (error: unknown): unknown => {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint } = e as { code?: string; constraint?: string };
    if (code === '23505') {
      const [c, message] = UNIQUE_CONFLICTS[constraint ?? ''] ?? ['conflict', 'This resource already exists'];
      return conflict(c, message);
    }
    if (code === '23503') return new AtriumError('conflict', 'reference_missing', 'A referenced resource does not exist');
    if (e === (e as { cause?: unknown }).cause) break;
  }
  return error;
};

export const mapErrors = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    throw translateDatabaseError(error);
  }
};
