import { AtriumError } from '../domain/errors.js';
import type { SearchHit } from '../domain/knowledge.js';
import type { ChatMessage, GroundingSource } from '../ports/chat.js';
import { countTokens, tokenPrefixLength } from '../retrieval/tokens.js';
import { formatSource, systemPrompt } from './prompt.js';

/** Chat formats wrap every message in a few tokens of framing (OpenAI: about 4, plus 3 for the reply). */
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMING = 3;
/** History may take at most this share of what is left after instructions and question; sources get the rest. */
const HISTORY_SHARE = 0.5;
/** A source cut shorter than this is not worth including. */
const MIN_SOURCE_TOKENS = 64;
/** Token counts of pieces do not add up exactly to the count of the whole; keep a little slack. */
const SAFETY_MARGIN = 16;

export interface ContextBudgetInput {
  instructions: string;
  /** Earlier turns, oldest first. */
  history: readonly ChatMessage[];
  question: string;
  /** Retrieved passages, best first. */
  hits: readonly SearchHit[];
  /** The model's context window (prompt + answer), in tokens. */
  contextWindow: number;
  /** Tokens kept free for the answer. */
  reserveForAnswer: number;
}

export interface FittedContext {
  messages: ChatMessage[];
  /** The hits that made it into the prompt, numbered as they appear there (1-based). */
  sources: { hit: SearchHit; source: GroundingSource }[];
  /** Turns of history kept (the latest ones). */
  historyKept: number;
  /**
   * The prompt's size in cl100k_base tokens, counted when first asked for: usage figures
   * need it only when the provider does not report its own, and counting is not free.
   */
  promptTokens(): number;
}

const messageTokens = (content: string) => countTokens(content) + MESSAGE_OVERHEAD;

/**
 * Fits instructions, history and sources into the model's context window. Instructions
 * and the question always go in (if they alone do not fit, the request is refused with
 * `context_too_long`); then the latest turns of history, up to half of what is left;
 * then sources in rank order, the last one cut to fit.
 */
export const fitContext = (input: ContextBudgetInput): FittedContext => {
  const reserve = Math.min(input.reserveForAnswer, Math.floor(input.contextWindow / 2));
  const empty: GroundingSource = { index: 1, title: '', text: '' };
  // The system message without sources, or its framing with them (rules, heading), whichever is larger.
  const header = Math.max(
    messageTokens(systemPrompt(input.instructions, [])),
    messageTokens(systemPrompt(input.instructions, [empty])) - countTokens(formatSource(empty)),
  );
  const fixed = header + messageTokens(input.question) + REPLY_PRIMING + SAFETY_MARGIN;
  let available = input.contextWindow - reserve - fixed;
  if (available < 0)
    throw new AtriumError(
      'invalid',
      'context_too_long',
      `The instructions and the message take ${fixed} tokens, more than the model's context window of ${input.contextWindow} allows with ${reserve} tokens kept for the answer`,
    );

  // A token is at least one UTF-8 byte: when the bytes of everything fit, so do the
  // tokens, and nothing needs encoding (the usual case with a large context window).
  const everything = [...input.history.map((m) => m.content), ...input.hits.map((h) => formatSource({ index: 99, title: h.documentTitle, text: h.text }))];
  const upperBound = everything.reduce((n, text) => n + utf8Length(text) + MESSAGE_OVERHEAD + 2, 0);
  if (upperBound <= available) return assemble(input.instructions, input.history, input.hits.map((hit, i) => ({ hit, source: { index: i + 1, title: hit.documentTitle, text: hit.text } })), input.question);

  // History: newest turn first, stopping at the first that does not fit, so what is
  // kept is an unbroken run of the latest turns.
  const historyBudget = Math.floor(available * HISTORY_SHARE);
  let historyTokens = 0;
  let kept = 0;
  for (let i = input.history.length - 1; i >= 0; i--) {
    const cost = messageTokens(input.history[i]!.content);
    if (historyTokens + cost > historyBudget) break;
    historyTokens += cost;
    kept++;
  }
  const history = input.history.slice(input.history.length - kept);
  available -= historyTokens;

  // Sources, best first, while they fit.
  const sources: FittedContext['sources'] = [];
  let sourceBudget = available;
  for (const hit of input.hits) {
    const index = sources.length + 1;
    const source: GroundingSource = { index, title: hit.documentTitle, text: hit.text };
    // Two newlines separate sources.
    const cost = countTokens(formatSource(source)) + 2;
    if (cost <= sourceBudget) {
      sources.push({ hit, source });
      sourceBudget -= cost;
      continue;
    }
    const room = sourceBudget - countTokens(formatSource({ ...source, text: '' })) - 2;
    if (room >= MIN_SOURCE_TOKENS) {
      const text = hit.text.slice(0, tokenPrefixLength(hit.text, room));
      sources.push({ hit, source: { ...source, text } });
    }
    break;
  }

  return assemble(input.instructions, history, sources, input.question);
};

const assemble = (
  instructions: string,
  history: readonly ChatMessage[],
  sources: FittedContext['sources'],
  question: string,
): FittedContext => {
  const system = systemPrompt(
    instructions,
    sources.map((s) => s.source),
  );
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...history, { role: 'user', content: question }];
  let counted: number | undefined;
  return {
    messages,
    sources,
    historyKept: history.length,
    promptTokens: () => (counted ??= messages.reduce((n, m) => n + messageTokens(m.content), REPLY_PRIMING)),
  };
};

/** The UTF-8 length of a string, without encoding it. */
const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    // A surrogate pair (4 bytes in UTF-8) is two code units of 2 each.
    else if (code >= 0xd800 && code <= 0xdfff) bytes += 2;
    else bytes += 3;
  }
  return bytes;
};
