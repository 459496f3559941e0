/**
 * Deterministic text for the Knowledge benchmarks, built from the labelled fixtures in
 * fixtures/retrieval: no side effects, so worker threads can import it too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const FIXTURES_DIR = path.join(BENCH_DIR, 'fixtures', 'retrieval');

export interface FixtureQuery {
  id: string;
  query: string;
  kind: string;
  relevant: string[];
}

export const loadFixtures = () => {
  const names = readdirSync(path.join(FIXTURES_DIR, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort();
  const documents = names.map((name) => ({ name, text: readFileSync(path.join(FIXTURES_DIR, 'docs', name), 'utf8') }));
  const queries = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'queries.json'), 'utf8')) as FixtureQuery[];
  return { documents, queries };
};

/** mulberry32: a small seeded PRNG, so that every corpus is the same from run to run. */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
};
export type Rng = ReturnType<typeof prng>;

interface Section {
  heading: string;
  paragraphs: string[];
}

/** The fixture documents cut at their headings: the raw material of the synthetic corpora. */
export const fixtureMaterial = () => {
  const { documents } = loadFixtures();
  const topics = documents.map((doc) => {
    const sections: Section[] = [];
    let title = doc.name;
    for (const part of doc.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean)) {
      const heading = /^(#{1,6})\s+(.*)$/.exec(part);
      if (heading && heading[1]!.length === 1) title = heading[2]!;
      else if (heading) sections.push({ heading: heading[2]!, paragraphs: [] });
      else {
        if (sections.length === 0) sections.push({ heading: title, paragraphs: [] });
        sections.at(-1)!.paragraphs.push(part);
      }
    }
    const words = doc.text.toLowerCase().match(/[a-z][a-z'-]{3,}/g) ?? [];
    return { name: doc.name, title, sections: sections.filter((s) => s.paragraphs.length > 0), words: [...new Set(words)] };
  });
  const vocabulary = [...new Set(topics.flatMap((t) => t.words))].sort();
  return { topics, vocabulary };
};
export type Material = ReturnType<typeof fixtureMaterial>;
type Topic = Material['topics'][number];

const NAMES = ['Aurora', 'Basalt', 'Cedar', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Kestrel', 'Lumen'];

/**
 * A paragraph of the topic, varied: numbers replaced, about one word in eight swapped for
 * another word of the topic or of the whole vocabulary, sentences sometimes reordered.
 * Keeps the topical structure of real text (related chunks share words) without copying it.
 */
export const variedParagraph = (rng: Rng, topic: Topic, vocabulary: readonly string[]): string => {
  const section = rng.pick(topic.sections);
  let text = rng.pick(section.paragraphs);
  if (/^[-*] /.test(text) && rng.next() < 0.5) text = text.replace(/^[-*] /gm, '');
  const sentences = text.split(/(?<=[.!?])\s+/);
  if (sentences.length > 2 && rng.next() < 0.4) sentences.push(sentences.shift()!);
  return sentences
    .join(' ')
    .replace(/\d+(\.\d+)?/g, () => String(1 + rng.int(rng.next() < 0.7 ? 60 : 5000)))
    .replace(/\b[a-z][a-z'-]{3,}\b/g, (word) => {
      const r = rng.next();
      if (r < 0.08) return rng.pick(topic.words);
      if (r < 0.125) return rng.pick(vocabulary);
      return word;
    });
};

const titleCase = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One synthetic Markdown document of about `bytes` bytes, mostly on one topic. */
const markdownDocument = (rng: Rng, material: Material, index: number, bytes: number): string => {
  const { topics, vocabulary } = material;
  const main = rng.pick(topics);
  const other = rng.pick(topics);
  const company = `${rng.pick(NAMES)} ${rng.pick(NAMES)}`;
  const parts: string[] = [`# ${main.title}: ${company} edition ${index + 1}`];
  let size = parts[0]!.length;
  let chapter = 0;
  while (size < bytes) {
    const topic = rng.next() < 0.75 ? main : other;
    const section = rng.pick(topic.sections);
    if (rng.next() < 0.3 || chapter === 0) parts.push(`## ${++chapter}. ${titleCase(section.heading)}`);
    else parts.push(`### ${section.heading} (${rng.pick(vocabulary)})`);
    // 2–10 blocks per section (about 1.5 KB): a section is one to three chunks.
    const paragraphs = 2 + rng.int(9);
    for (let p = 0; p < paragraphs; p++) {
      const r = rng.next();
      if (r < 0.12) {
        const items = 2 + rng.int(5);
        parts.push(Array.from({ length: items }, () => `- ${variedParagraph(rng, topic, vocabulary).split(/(?<=\.)\s/)[0]}`).join('\n'));
      } else if (r < 0.17) {
        const rows = 2 + rng.int(6);
        parts.push(
          ['| item | owner | days |', '| --- | --- | --- |', ...Array.from({ length: rows }, () => `| ${rng.pick(topic.words)} | ${rng.pick(NAMES)} | ${1 + rng.int(90)} |`)].join('\n'),
        );
      } else parts.push(variedParagraph(rng, topic, vocabulary));
    }
    size = parts.reduce((sum, part) => sum + part.length + 2, 0);
  }
  return `${parts.join('\n\n')}\n`;
};

/**
 * A deterministic corpus of Markdown documents totalling about `totalBytes`, with sizes
 * spread log-uniformly between 4 KB and 256 KB (mean about 60 KB), as a folder of
 * handbooks, help articles and reports would be.
 */
export const markdownCorpus = (totalBytes: number, seed = 42): { name: string; text: string; bytes: Uint8Array }[] => {
  const rng = prng(seed);
  const material = fixtureMaterial();
  const encoder = new TextEncoder();
  const docs: { name: string; text: string; bytes: Uint8Array }[] = [];
  let total = 0;
  while (total < totalBytes) {
    const size = Math.round(4096 * Math.exp(rng.next() * Math.log(64)));
    const text = markdownDocument(rng, material, docs.length, Math.min(size, totalBytes - total + 2048));
    const bytes = encoder.encode(text);
    docs.push({ name: `doc-${String(docs.length).padStart(4, '0')}.md`, text, bytes });
    total += bytes.byteLength;
  }
  return docs;
};


// ---------------------------------------------------------------------------------------
// A diverse corpus: a topic model over a large vocabulary.
//
// Recombined fixture paragraphs (as markdownCorpus does) are fine for throughput, but 100k
// chunks of them would be near-duplicates of one another, with nearest-neighbour distances
// that nearly tie: not what a large installation looks like. This generator draws words
// from a 40 000-word vocabulary (the fixtures' real words first, then pronounceable
// made-up words) with Zipfian frequencies, and each document from a mixture of two of
// 1 000 topics, each topic a Zipfian distribution over its own 300 words: chunks of a
// document share a topic without repeating each other, as real text does.

const FUNCTION_WORDS = (
  'the of and to a in is that for it as with was on be by this are or from at an which but not have has can ' +
  'will if all they their we you your our its more when there been also may than into any other these would each'
).split(' ');
const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'z', 'br', 'cl', 'cr', 'dr', 'fl', 'gr', 'pl', 'pr', 'sh', 'st', 'tr', 'ch', 'th', 'sk'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'ou', 'io', 'y'];
const CODAS = ['', '', 'n', 'r', 's', 't', 'l', 'm', 'nd', 'st', 'ck', 'rt', 'ng'];

/** Cumulative weights for sampling by binary search. */
const cumulative = (weights: number[]): Float64Array => {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
};
const sample = (cdf: Float64Array, r: number): number => {
  const target = r * cdf[cdf.length - 1]!;
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const topicModel = (seed = 2024, vocabularySize = 40_000, topicCount = 1_000, wordsPerTopic = 300) => {
  const rng = prng(seed);
  const real = fixtureMaterial().vocabulary.filter((w) => !FUNCTION_WORDS.includes(w));
  const words = new Set(real);
  while (words.size < vocabularySize) {
    const syllables = 2 + rng.int(2);
    let word = '';
    for (let s = 0; s < syllables; s++) word += rng.pick(ONSETS) + rng.pick(VOWELS) + (s === syllables - 1 ? rng.pick(CODAS) : '');
    words.add(word);
  }
  // Real words keep the frequent ranks (shuffled), made-up ones the long tail.
  const shuffled = [...real];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const vocabulary = [...shuffled, ...[...words].slice(real.length)];
  const background = cumulative(vocabulary.map((_, r) => 1 / (r + 2.7)));
  // Topic words come from the middle and the tail (a flatter Zipf), each topic Zipfian itself.
  const topicPick = cumulative(vocabulary.map((_, r) => 1 / Math.sqrt(r + 10)));
  const topicWeights = cumulative(Array.from({ length: wordsPerTopic }, (_, r) => 1 / (r + 1.5)));
  const topics = Array.from({ length: topicCount }, () => Array.from({ length: wordsPerTopic }, () => sample(topicPick, rng.next())));
  return { vocabulary, background, topics, topicWeights };
};
export type TopicModel = ReturnType<typeof topicModel>;

/**
 * Chunk `index` of a diverse synthetic collection (deterministic per index): 180–270 words
 * in sentences, a third of them function words, a quarter background words, the rest from
 * its document's two topics (documents are `perDocument` consecutive chunks).
 */
export const topicChunk = (model: TopicModel, index: number, perDocument: number): { text: string; headingPath: string[] } => {
  const document = Math.floor(index / perDocument);
  const docRng = prng(Math.imul(document + 1, 0x85ebca77) ^ 0x5bd1e995);
  const primary = model.topics[docRng.int(model.topics.length)]!;
  const secondary = model.topics[docRng.int(model.topics.length)]!;
  const rng = prng(Math.imul(index + 1, 0x9e3779b1) ^ 0x27d4eb2f);
  const topicWord = () => model.vocabulary[(rng.next() < 0.7 ? primary : secondary)[sample(model.topicWeights, rng.next())]!]!;
  const title = `${titleCase(model.vocabulary[primary[0]!]!)} ${model.vocabulary[primary[1]!]!}`;
  const section = `${titleCase(topicWord())} and ${topicWord()}`;
  const length = 180 + rng.int(91);
  const sentences: string[] = [];
  let sentence: string[] = [];
  let sentenceLength = 8 + rng.int(15);
  for (let w = 0; w < length; w++) {
    const r = rng.next();
    sentence.push(r < 0.33 ? rng.pick(FUNCTION_WORDS) : r < 0.58 ? model.vocabulary[sample(model.background, rng.next())]! : topicWord());
    if (sentence.length >= sentenceLength || w === length - 1) {
      sentences.push(`${titleCase(sentence.join(' '))}.`);
      sentence = [];
      sentenceLength = 8 + rng.int(15);
    }
  }
  return { text: sentences.join(' '), headingPath: [title, section] };
};

/** Queries over a topic-model collection: 3–7 consecutive words of a random chunk, or 2–4 words of a random topic. */
export const topicQueries = (model: TopicModel, count: number, totalChunks: number, perDocument: number, seed = 77): string[] => {
  const rng = prng(seed);
  const queries: string[] = [];
  while (queries.length < count) {
    if (rng.next() < 0.67) {
      const words = topicChunk(model, rng.int(totalChunks), perDocument).text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
      const length = 3 + rng.int(5);
      const start = rng.int(Math.max(1, words.length - length));
      queries.push(words.slice(start, start + length).join(' '));
    } else {
      const topic = rng.pick(model.topics);
      queries.push(Array.from({ length: 2 + rng.int(3) }, () => model.vocabulary[topic[sample(model.topicWeights, rng.next())]!]!).join(' '));
    }
  }
  return queries;
};
