export interface PageRequest {
  limit: number;
  /** Opaque position returned as `nextCursor` by the previous page. */
  cursor?: string | null | undefined;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
