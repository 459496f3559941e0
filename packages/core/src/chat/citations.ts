/**
 * Citations: answers cite sources as `[n]` (also `[1, 2]` or `[1][2]`). We read them back
 * out of the text to know which references an answer actually used.
 */
const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** The cited indexes that name a real reference (1..referenceCount), in order of first citation. */
export const citedIndexes = (text: string, referenceCount: number): number[] => {
  const seen = new Set<number>();
  for (const match of text.matchAll(CITATION)) {
    for (const part of match[1]!.split(',')) {
      const n = Number(part.trim());
      if (n >= 1 && n <= referenceCount) seen.add(n);
    }
  }
  return [...seen];
};
