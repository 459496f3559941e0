/**
 * Text → weighted lexical features, for the hashing embedder. Kept apart from the
 * hashing so the analysis (what counts as a word, which forms are the same word) can be
 * read and tested on its own.
 */
import { stemmer } from 'stemmer';

// Function words that carry no topic. Deliberately short: a long list starts eating
// words that matter in questions ("off" in "time off", "down" in "downgrade plan").
const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her ' +
    'here hers him his how i if in into is it its itself me my myself of on or our ours she should so some ' +
    'than that the their theirs them then there these they this those to too us very was we were what when ' +
    'where which while who whom why will with would you your yours yourself about also just any each am'
  ).split(' '),
);

// Scripts written without spaces: a run of them is a phrase, not a word, so it is read
// as overlapping character pairs (the usual practice for CJK retrieval).
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const LETTER = /\p{L}/u;
const ASTRAL = /[\uD800-\uDBFF]/;

// Stemming is the costliest step per word and documents repeat their words: remember
// recent stems (bounded, so a long-running process does not grow without limit).
const stems = new Map<string, string>();
const stemOf = (word: string): string => {
  let stem = stems.get(word);
  if (stem === undefined) {
    if (stems.size >= 50_000) stems.clear();
    stem = stemmer(word);
    stems.set(word, stem);
  }
  return stem;
};

/** NFKC, lower case, Latin diacritics removed ("Café" → "cafe"); other scripts' marks are kept. */
export const normalizeText = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');

export interface Term {
  /** The normalised surface form, for character n-grams. */
  surface: string;
  /** The stemmed form, for word features ("refunds", "refunding" → "refund"). */
  stem: string;
}

/** The content words of `text` in order: stopwords dropped, unspaced scripts as character pairs. */
export const terms = (text: string): Term[] => {
  const result: Term[] = [];
  for (const [word] of normalizeText(text).matchAll(WORD)) {
    if (UNSPACED.test(word)) {
      const chars = [...word];
      if (chars.length === 1) result.push({ surface: word, stem: word });
      for (let i = 0; i + 1 < chars.length; i++) {
        const pair = chars[i]! + chars[i + 1]!;
        result.push({ surface: pair, stem: pair });
      }
      continue;
    }
    if (STOPWORDS.has(word)) continue;
    // The Porter stemmer is for English; it leaves words of other Latin-script languages
    // mostly intact, and only ever sees letters a-z.
    const stem = /^[a-z]+$/.test(word) && word.length > 3 ? stemOf(word) : word;
    result.push({ surface: word, stem });
  }
  return result;
};

export interface FeatureSets {
  unigrams: Map<string, number>;
  bigrams: Map<string, number>;
  charGrams: Map<string, number>;
}

const add = (counts: Map<string, number>, feature: string) => counts.set(feature, (counts.get(feature) ?? 0) + 1);

/** Counts of each feature of `text`, by kind. */
export const featureCounts = (text: string, charGramSizes: readonly number[] = [3, 4, 5]): FeatureSets => {
  const sets: FeatureSets = { unigrams: new Map(), bigrams: new Map(), charGrams: new Map() };
  const list = terms(text);
  list.forEach((term, i) => {
    add(sets.unigrams, term.stem);
    const next = list[i + 1];
    if (next) add(sets.bigrams, `${term.stem} ${next.stem}`);
    // Character n-grams catch typos, compounds and morphology the stemmer misses;
    // the boundary markers let prefixes and suffixes count as such.
    if (!LETTER.test(term.surface) || UNSPACED.test(term.surface)) return;
    const marked = `<${term.surface}>`;
    // Slice by code units when there are no surrogate pairs (the common case, and much
    // faster); by code points otherwise, so no n-gram holds half a character.
    const chars = ASTRAL.test(marked) ? [...marked] : null;
    const length = chars ? chars.length : marked.length;
    for (const n of charGramSizes) {
      for (let j = 0; j + n <= length; j++) add(sets.charGrams, chars ? chars.slice(j, j + n).join('') : marked.slice(j, j + n));
    }
  });
  return sets;
};
