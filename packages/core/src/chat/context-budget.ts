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
  /** The prompt's size as counted here (cl100k_base). */
  promptTokens: number;
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

  const system = systemPrompt(
    input.instructions,
    sources.map((s) => s.source),
  );
  const messages: ChatMessage[] = [{ role: 'system', content: system }, ...history, { role: 'user', content: input.question }];
  const promptTokens = messages.reduce((n, m) => n + messageTokens(m.content), REPLY_PRIMING);
  return { messages, sources, historyKept: kept, promptTokens };
};
