/**
 * The local extractive answerer: the completion model used when no language model is
 * configured. It writes no new text; it picks the sentences of the retrieved sources
 * that best match the question (by shared stemmed terms, weighted by how rare each term
 * is among the candidate sentences), quotes them with their `[n]` citations, and says
 * plainly that no language model is configured. Deterministic, offline and fast.
 */
import type { ChatModel, ChatRequest, ChatStreamPart, GroundingSource } from '../../ports/chat.js';
import { terms } from './text-features.js';

export const LOCAL_EXTRACTIVE_MODEL = 'local-extractive-v1';

export const NO_MODEL_NOTE =
  '(No language model is configured, so this answer quotes the most relevant passages of your documents. Set OPENAI_API_KEY for written answers.)';
export const NOTHING_FOUND =
  'I could not find anything about this in the documents available to me.';

const MAX_SENTENCES = 3;
const MAX_ANSWER_CHARS = 900;
const MAX_SENTENCE_CHARS = 400;
/** A further sentence must score at least this share of the best one to be quoted too. */
const FOLLOWER_SHARE = 0.5;

interface Candidate {
  text: string;
  source: number;
  position: number;
  stems: Set<string>;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Sentences of a passage: lines first (lists, headings, table rows), then sentence boundaries. */
const sentencesOf = (text: string): string[] => {
  const sentences: string[] = [];
  for (const line of text.split(/\n+/)) {
    const cleaned = line.replace(/^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)/, '').replace(/\s+/g, ' ').trim();
    if (cleaned === '') continue;
    for (const { segment } of segmenter.segment(cleaned)) {
      const sentence = segment.trim();
      if (sentence.length < 12 || !/\p{L}/u.test(sentence)) continue;
      sentences.push(sentence.length > MAX_SENTENCE_CHARS ? `${sentence.slice(0, MAX_SENTENCE_CHARS - 1).trimEnd()}…` : sentence);
    }
  }
  return sentences;
};

const candidatesOf = (sources: readonly GroundingSource[]): Candidate[] =>
  sources.flatMap((source) =>
    sentencesOf(source.text).map((text, position) => ({
      text,
      source: source.index,
      position,
      stems: new Set(terms(text).map((t) => t.stem)),
    })),
  );

/** Picks the sentences to quote, best first. Exported for tests. */
export const selectSentences = (question: string, sources: readonly GroundingSource[]): Candidate[] => {
  const candidates = candidatesOf(sources);
  if (candidates.length === 0) return [];
  const asked = new Set(terms(question).map((t) => t.stem));
  const df = new Map<string, number>();
  for (const c of candidates) for (const stem of c.stems) if (asked.has(stem)) df.set(stem, (df.get(stem) ?? 0) + 1);
  const scored = candidates.map((c) => {
    let score = 0;
    for (const stem of c.stems) if (asked.has(stem)) score += Math.log(1 + candidates.length / df.get(stem)!);
    // Prefer the better-ranked source and, within it, earlier sentences, when scores tie.
    score *= 1 + 0.15 / c.source;
    score /= 1 + c.stems.size / 60;
    return { c, score };
  });
  scored.sort((a, b) => b.score - a.score || a.c.source - b.c.source || a.c.position - b.c.position);
  const best = scored[0]!;
  if (best.score === 0) {
    // Nothing shares a word with the question: offer the top passage's opening instead.
    return candidates.filter((c) => c.source === candidates[0]!.source).slice(0, 2);
  }
  const chosen = [best.c];
  let length = best.c.text.length;
  for (const { c, score } of scored.slice(1)) {
    if (chosen.length >= MAX_SENTENCES || score < best.score * FOLLOWER_SHARE) break;
    if (length + c.text.length > MAX_ANSWER_CHARS) continue;
    if (chosen.some((o) => o.text === c.text)) continue;
    chosen.push(c);
    length += c.text.length;
  }
  return chosen;
};

/** The answer's text for a question and its sources. */
export const extractiveAnswer = (question: string, sources: readonly GroundingSource[]): string => {
  const sentences = selectSentences(question, sources);
  if (sentences.length === 0) return `${NOTHING_FOUND}\n\n${NO_MODEL_NOTE}`;
  const quoted = sentences.map((s) => `${s.text.replace(/\s*\[\d+\]\s*$/, '')} [${s.source}]`).join(' ');
  return `${quoted}\n\n${NO_MODEL_NOTE}`;
};

/** Splits text into word-sized deltas (with their following whitespace), as a model would stream. */
const deltas = (text: string): string[] => text.match(/\S+\s*/g) ?? [];

export interface ExtractiveAnswererOptions {
  /** Context window to report, in tokens (how many sources the budget lets through). Default 16 384. */
  contextWindow?: number;
}

export const extractiveAnswerer = (options: ExtractiveAnswererOptions = {}): ChatModel => ({
  specificationVersion: 'v1',
  modelId: LOCAL_EXTRACTIVE_MODEL,
  provider: 'local',
  contextWindow: options.contextWindow ?? 16_384,
  defaultMaxOutputTokens: 512,
  async *stream(request: ChatRequest): AsyncGenerator<ChatStreamPart> {
    const question = request.grounding?.question ?? request.messages.findLast((m) => m.role === 'user')?.content ?? '';
    const text = extractiveAnswer(question, request.grounding?.sources ?? []);
    for (const piece of deltas(text)) {
      if (request.signal?.aborted) throw request.signal.reason;
      yield { type: 'text-delta', text: piece };
    }
    yield { type: 'finish', finishReason: 'stop' };
  },
});

/** The local completion models: the extractive answerer. */
export const localChatModels = (options: ExtractiveAnswererOptions = {}) => {
  const model = extractiveAnswerer(options);
  return {
    defaultModelId: model.modelId,
    get: (modelId: string) => (modelId === model.modelId ? model : null),
    list: () => [model],
  };
};
