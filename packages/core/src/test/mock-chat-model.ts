/**
 * A scripted ChatModel for unit tests of chat orchestration, after the AI SDK's
 * `MockLanguageModel`: it records every request and replays the parts it is given (or
 * computes them from the request), honouring the request's abort signal like a real
 * adapter.
 */
import { abortableSleep } from '../adapters/shared/abortable-sleep.js';
import type { ChatModel, ChatModels, ChatRequest, ChatStreamPart } from '../ports/chat.js';

export interface MockChatModelOptions {
  /** Default `mock-model`. */
  modelId?: string;
  /** Default `mock`. */
  provider?: string;
  /** Default 8192. */
  contextWindow?: number;
  /** Default 1024. */
  defaultMaxOutputTokens?: number;
  /**
   * The parts every request gets. A list without a `finish` part gets
   * `{ type: 'finish', finishReason: 'stop' }` appended. Default: the text `Answer [1].`
   */
  parts?: ChatStreamPart[];
  /**
   * The answer to a request, computed from it: parts as above, or text, which is streamed
   * one word per delta and finished with `stop` and an estimated usage. Wins over `parts`.
   */
  respond?: (request: ChatRequest) => ChatStreamPart[] | string;
  /** Wait before each part, in ms (an aborted signal ends the wait). */
  delayMs?: number;
  /** Throw this instead of (or, with `failAfterParts`, part way through) answering. */
  failWith?: unknown;
  /** With `failWith`: the parts to yield before throwing (default 0). */
  failAfterParts?: number;
}

export interface MockChatModel extends ChatModel {
  /** Every request, in order. Clear it with `calls.length = 0`. */
  readonly calls: ChatRequest[];
  /** Streams started and not yet ended (finished, failed, or closed by their consumer). */
  readonly open: number;
}

/** Rough token count for usage figures: a token per four characters. */
const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Text as the parts a model would stream: a delta per word, then `stop` with an estimated usage. */
export const textToChatParts = (text: string, request?: ChatRequest): ChatStreamPart[] => {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  const prompt = request?.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0) ?? 0;
  return [
    ...words.map((word): ChatStreamPart => ({ type: 'text-delta', text: word })),
    { type: 'finish', finishReason: 'stop', usage: { promptTokens: prompt, completionTokens: words.length } },
  ];
};

const withFinish = (parts: ChatStreamPart[]): ChatStreamPart[] =>
  parts.some((part) => part.type === 'finish') ? parts : [...parts, { type: 'finish', finishReason: 'stop' }];

export const mockChatModel = (options: MockChatModelOptions = {}): MockChatModel => {
  const calls: ChatRequest[] = [];
  let open = 0;
  const script = (request: ChatRequest): ChatStreamPart[] => {
    if (options.respond) {
      const answer = options.respond(request);
      return typeof answer === 'string' ? textToChatParts(answer, request) : withFinish(answer);
    }
    return options.parts ? withFinish(options.parts) : textToChatParts('Answer [1].', request);
  };

  return {
    specificationVersion: 'v1',
    modelId: options.modelId ?? 'mock-model',
    provider: options.provider ?? 'mock',
    contextWindow: options.contextWindow ?? 8192,
    defaultMaxOutputTokens: options.defaultMaxOutputTokens ?? 1024,
    calls,
    get open() {
      return open;
    },
    async *stream(request: ChatRequest): AsyncGenerator<ChatStreamPart> {
      calls.push(request);
      open++;
      try {
        const { signal } = request;
        signal?.throwIfAborted();
        const parts = script(request);
        const failAt = 'failWith' in options ? Math.max(0, options.failAfterParts ?? 0) : Number.POSITIVE_INFINITY;
        for (const [index, part] of parts.entries()) {
          if (index >= failAt) break;
          if (options.delayMs) await abortableSleep(options.delayMs, signal);
          signal?.throwIfAborted();
          yield part;
        }
        if (failAt !== Number.POSITIVE_INFINITY) {
          if (options.delayMs) await abortableSleep(options.delayMs, signal);
          signal?.throwIfAborted();
          throw options.failWith;
        }
      } finally {
        open--;
      }
    },
  };
};

/** A ChatModels over the given models; the first is the default. */
export const mockChatModels = (...models: [ChatModel, ...ChatModel[]]): ChatModels => {
  const byId = new Map(models.map((model) => [model.modelId, model]));
  return {
    defaultModelId: models[0].modelId,
    get: (modelId) => byId.get(modelId) ?? null,
    list: () => [...byId.values()],
  };
};
