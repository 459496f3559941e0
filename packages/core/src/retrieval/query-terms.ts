/** Splits a query into plain words for full-text search (letters and digits only). */
export const queryTerms = (query: string, max = 32): string[] => {
  const words = query.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, max);
};
