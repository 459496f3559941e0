/**
 * Where text may be cut: sentence, line and word boundaries, as character offsets.
 *
 * Plain regular expressions rather than `Intl.Segmenter`: chunk boundaries are stored
 * with the chunks, and ICU's rules vary between Node builds; these do not.
 */

/** A half-open character range `[start, end)`. */
export type Range = readonly [start: number, end: number];

// Latin-style terminators need following whitespace and must not be followed by a
// lower-case letter ("e.g. this", "approx. five"); CJK full-width terminators end a
// sentence on their own, with or without a space after them.
const SENTENCE_END = /[.!?…]+["'”’)\]]*\s+(?![\s\p{Ll}])|[。！？]+["'”’」』)\]]*\s*/gu;
const LINE_END = /\s*\n\s*/g;
const WHITESPACE = /\s+/gu;

/** `[start, end)` shrunk to exclude leading and trailing whitespace; null when empty. */
export const trimRange = (text: string, start: number, end: number): Range | null => {
  let s = start;
  let e = end;
  while (s < e && /\s/u.test(text[s]!)) s++;
  while (e > s && /\s/u.test(text[e - 1]!)) e--;
  return s < e ? [s, e] : null;
};

const cutAfter = (pattern: RegExp) => (text: string, start: number, end: number): Range[] => {
  const ranges: Range[] = [];
  const slice = text.slice(start, end);
  let from = 0;
  for (const match of slice.matchAll(pattern)) {
    const cut = match.index + match[0].length;
    if (cut >= slice.length) break;
    const range = trimRange(text, start + from, start + cut);
    if (range) ranges.push(range);
    from = cut;
  }
  const last = trimRange(text, start + from, end);
  if (last) ranges.push(last);
  return ranges;
};

/** The trimmed sentences of `text[start, end)`. */
export const sentenceRanges = cutAfter(SENTENCE_END);

/** The trimmed, non-empty lines of `text[start, end)`. */
export const lineRanges = cutAfter(LINE_END);

/** Offsets in `[start, end)` where a word begins after whitespace. */
export const wordStarts = (text: string, start: number, end: number): number[] => {
  const starts: number[] = [];
  const slice = text.slice(start, end);
  for (const match of slice.matchAll(WHITESPACE)) {
    const at = match.index + match[0].length;
    if (at < slice.length) starts.push(start + at);
  }
  return starts;
};

/** The last whitespace-to-word boundary in `(from, to]`, if any, for cutting a long run of words. */
export const lastWordBreak = (text: string, from: number, to: number): number | null => {
  for (let i = to; i > from; i--) {
    if (/\s/u.test(text[i - 1]!) && !/\s/u.test(text[i] ?? ' ')) return i;
  }
  return null;
};
