import type { Assistant } from '../domain/assistants.js';
import type { ChatTimings, FinishReason, Reference, TokenUsage } from '../domain/conversations.js';
import { AtriumError } from '../domain/errors.js';
import type { SearchHit } from '../domain/knowledge.js';
import type { ChatMessage, ChatModel } from '../ports/chat.js';
import { countTokens } from '../retrieval/tokens.js';
import { citedIndexes } from './citations.js';
import { fitContext } from './context-budget.js';
import { retrievalQuery } from './retrieval-query.js';

export interface GenerateAnswerInput {
  assistant: Assistant;
  model: ChatModel;
  /** The model's context window after configuration overrides. */
  contextWindow: number;
  question: string;
  /** Earlier turns, oldest first. */
  history: readonly ChatMessage[];
  /** Extra system instructions appended to the assistant's (OpenAI-compatible clients' system messages). */
  extraInstructions?: string | undefined;
  /** Searches the assistant's knowledge. */
  search: (query: string) => Promise<SearchHit[]>;
  signal?: AbortSignal | undefined;
  /** Milliseconds on a monotonic clock. */
  now: () => number;
  /** When the request started on that clock (timings count from here). */
  startedAt: number;
}

/** What the caller streams while the answer is generated. */
export type AnswerPart = { type: 'references'; references: Reference[] } | { type: 'delta'; text: string };

export interface AnswerError {
  code: string;
  message: string;
  /** When the provider said how long to wait (rate limits). */
  retryAfterSeconds?: number;
}

export interface AnswerResult {
  content: string;
  references: Reference[];
  citations: number[];
  finishReason: FinishReason;
  /** Set when finishReason is `error`. */
  error: AnswerError | null;
  usage: TokenUsage;
  timings: ChatTimings;
  model: string;
}

const isAbort = (error: unknown, signal: AbortSignal | undefined) =>
  signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');

const toError = (error: unknown): AnswerError =>
  error instanceof AtriumError
    ? {
        code: error.code,
        message: error.message,
        ...(error.details.retryAfterSeconds !== undefined && { retryAfterSeconds: error.details.retryAfterSeconds }),
      }
    : { code: 'model_error', message: 'The model failed while answering' };

/**
 * One answer: search the knowledge → fit instructions, history and sources into the
 * context window → stream from the model → read the citations back. Yields the
 * references and text deltas as they come and returns the finished result, also when the
 * model failed (finishReason `error`) or the caller aborted (`aborted`, with the partial
 * text): the caller persists whatever happened. Only search and budget failures throw.
 */
export async function* generateAnswer(input: GenerateAnswerInput): AsyncGenerator<AnswerPart, AnswerResult> {
  const { assistant, model, signal } = input;
  const instructions = input.extraInstructions ? `${assistant.instructions}\n\n${input.extraInstructions}` : assistant.instructions;

  const linksKnowledge = assistant.collectionIds.length > 0 || assistant.websiteIds.length > 0;
  const hits = linksKnowledge ? await input.search(retrievalQuery(input.question, input.history)) : [];
  const kept = hits.filter((h) => h.score >= assistant.retrieval.minScore);
  const reserveForAnswer = assistant.maxTokens ?? model.defaultMaxOutputTokens;
  const context = fitContext({
    instructions,
    history: input.history,
    question: input.question,
    hits: kept,
    contextWindow: input.contextWindow,
    reserveForAnswer,
  });
  const references: Reference[] = context.sources.map(({ hit, source }) => ({
    id: hit.chunkId,
    index: source.index,
    documentId: hit.documentId,
    documentTitle: hit.documentTitle,
    ...(hit.url !== undefined && { url: hit.url }),
    text: source.text,
    score: hit.score,
  }));
  const retrievalMs = input.now() - input.startedAt;

  // The model is asked before the references go out, so its first token, which is what the
  // user waits for, is on its way while they are serialised and sent.
  const stream = model.stream({
    messages: context.messages,
    temperature: assistant.temperature ?? undefined,
    maxTokens: assistant.maxTokens ?? undefined,
    grounding: { question: input.question, sources: context.sources.map((s) => s.source) },
    signal,
  });
  const parts = stream[Symbol.asyncIterator]();
  const firstPart = parts.next();
  // Awaited below, or never when the caller leaves first: not an unhandled rejection meanwhile.
  firstPart.catch(() => {});

  let content = '';
  let firstTokenAt: number | null = null;
  let finishReason: FinishReason = 'stop';
  let reported: TokenUsage | undefined;
  let error: AnswerResult['error'] = null;
  let finished = false;
  try {
    yield { type: 'references', references };
    try {
      for (let next = await firstPart; !next.done; next = await parts.next()) {
        const part = next.value;
        if (part.type === 'text-delta') {
          if (part.text === '') continue;
          firstTokenAt ??= input.now();
          content += part.text;
          yield { type: 'delta', text: part.text };
        } else {
          finishReason = part.finishReason;
          reported = part.usage;
        }
      }
      if (signal?.aborted) finishReason = 'aborted';
    } catch (caught) {
      if (isAbort(caught, signal)) finishReason = 'aborted';
      else {
        finishReason = 'error';
        error = toError(caught);
      }
    }
    finished = true;
  } finally {
    // The caller left early (return() while suspended at a yield): end the model's stream,
    // which cancels its request.
    if (!finished) await parts.return?.().catch(() => {});
  }

  const end = input.now();
  return {
    content,
    references,
    citations: citedIndexes(content, references.length),
    finishReason,
    error,
    // Providers that report usage are believed; otherwise (local models, cut-off
    // streams) we count the prompt and the text that was produced.
    usage: reported ?? { promptTokens: context.promptTokens(), completionTokens: countTokens(content) },
    timings: {
      retrievalMs: Math.round(retrievalMs * 100) / 100,
      firstTokenMs: firstTokenAt === null ? null : Math.round((firstTokenAt - input.startedAt) * 100) / 100,
      totalMs: Math.round((end - input.startedAt) * 100) / 100,
    },
    model: model.modelId,
  };
}
