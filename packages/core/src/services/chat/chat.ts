import { citedIndexes } from '../../chat/citations.js';
import type { ChatEvent } from '../../chat/events.js';
import { generateAnswer, type AnswerResult } from '../../chat/generate-answer.js';
import type { Assistant } from '../../domain/assistants.js';
import type { Collection } from '../../domain/knowledge.js';
import type { Conversation, ConversationChannel, Message, VisitorIdentity } from '../../domain/conversations.js';
import { AtriumError, invalid, notFound } from '../../domain/errors.js';
import type { Actor } from '../../domain/identity.js';
import type { ChatMessage, ChatModel } from '../../ports/index.js';
import { retrieve } from '../../retrieval/search.js';
import type { CoreContext } from '../context.js';
import { requireAssistant } from '../assistants/access.js';
import type { AdmittedVisitor } from '../widget/visitors.js';
import { publicErrorMessage } from '../shared/public-error.js';

/** The longest question accepted, in characters. */
export const MAX_MESSAGE_LENGTH = 32_000;
/** Turns loaded from a stored conversation; the context budget then keeps what fits. */
const HISTORY_LOAD_LIMIT = 50;
const TITLE_LENGTH = 80;

/** Timings use a monotonic clock: wall-clock jumps must not make them negative. */
const monotonic = () => performance.now();

export interface ChatInput {
  message: string;
  conversationId?: string | null | undefined;
  /**
   * Abort when the client goes away: generation stops, the upstream model request is
   * cancelled and the partial answer is stored with finishReason `aborted`.
   */
  signal?: AbortSignal | undefined;
}

/**
 * A chat under way. Consume `events` to the end, also after aborting the signal: the
 * answer is stored as the stream finishes (leaving early through `break` stores it too).
 */
export interface ChatStream {
  conversationId: string;
  /** The id the answer will be stored under. */
  messageId: string;
  events: AsyncIterable<ChatEvent>;
}

const checkMessage = (message: string, path = 'message'): void => {
  if (message.trim() === '') throw invalid([{ path, message: 'Must not be empty' }]);
  if (message.length > MAX_MESSAGE_LENGTH) throw invalid([{ path, message: `Must be at most ${MAX_MESSAGE_LENGTH} characters` }]);
};

/** The assistant's model, or 503 when it is not configured here (e.g. the key was removed). */
export const chatModelFor = (ctx: CoreContext, assistant: Assistant): ChatModel => {
  const id = assistant.model ?? ctx.chatModels.defaultModelId;
  const model = ctx.chatModels.get(id);
  if (!model)
    throw new AtriumError('unavailable', 'model_unavailable', `The completion model ${id} of assistant ${assistant.name} is not configured`);
  return model;
};

const titleOf = (question: string) => {
  const line = question.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
};

/**
 * Work that is awaited later, maybe never (the consumer may stop reading first): it must
 * not count as an unhandled rejection meanwhile. Awaiting it still throws.
 */
const settledLater = <T>(work: Promise<T>): Promise<T> => {
  work.catch(() => {});
  return work;
};

/** Stored messages as model turns; failed answers with no text are left out. */
const asHistory = (messages: Message[]): ChatMessage[] =>
  messages.filter((m) => m.content !== '').map((m) => ({ role: m.role, content: m.content }));

/** Who asks, and through what: a user or API key (`userId`), or a widget visitor (`visitorId`). */
export interface Asker {
  tenantId: string;
  userId: string | null;
  visitorId: string | null;
  visitorIdentity: VisitorIdentity | null;
  apiKeyId: string | null;
  channel: ConversationChannel;
}

const askerOf = (actor: Actor, channel: ConversationChannel): Asker => ({
  tenantId: actor.tenantId,
  userId: actor.userId,
  visitorId: null,
  visitorIdentity: null,
  apiKeyId: actor.apiKeyId ?? null,
  channel,
});

interface RunInput {
  tenantId: string;
  assistant: Assistant;
  model: ChatModel;
  conversation: Conversation;
  question: string;
  history: ChatMessage[];
  extraInstructions?: string | undefined;
  signal?: AbortSignal | undefined;
  startedAt: number;
  /** The assistant's collections, loading since before access was settled. */
  collections: Promise<Collection[]>;
  /**
   * Writes the conversation and the question, once, however often it is called. It starts
   * when the model has been asked (ids are made in process, so nothing waits for it):
   * written during the search, it competed with it for the CPU and lengthened the path to
   * the first token (ADR 0015). The answer is stored only after it: an answer never exists
   * without its question.
   */
  storeQuestion: () => Promise<unknown>;
}

/** `work` started on the first call and shared by later ones; not an unhandled rejection meanwhile. */
const once = <T>(work: () => Promise<T>): (() => Promise<T>) => {
  let started: Promise<T> | undefined;
  return () => (started ??= settledLater(work()));
};

/** Streams one answer and stores it (with its usage) however the stream ends. */
const runChat = (ctx: CoreContext, run: RunInput): ChatStream => {
  const messageId = ctx.ids.next();
  const repos = () => ctx.store.forTenant(run.tenantId);
  const contextWindow = ctx.settings.chatContextTokens ?? run.model.contextWindow;

  const store = async (result: Omit<AnswerResult, 'error'> & { errorCode: string | null }) => {
    await run.storeQuestion();
    const now = ctx.clock.now();
    await repos().messages.append(
      {
        id: messageId,
        conversationId: run.conversation.id,
        role: 'assistant',
        content: result.content,
        references: result.references,
        citations: result.citations,
        finishReason: result.finishReason,
        errorCode: result.errorCode,
        model: result.model,
        usage: result.usage,
        timings: result.timings,
        createdAt: now,
      },
      { messageId, assistantId: run.assistant.id, channel: run.conversation.channel, model: result.model, ...result.usage, createdAt: now },
    );
  };

  async function* events(): AsyncGenerator<ChatEvent> {
    let stored = false;
    let partial = '';
    let references: AnswerResult['references'] = [];
    let answer: ReturnType<typeof generateAnswer> | undefined;
    try {
      yield { type: 'start', conversationId: run.conversation.id, messageId };
      answer = generateAnswer({
        assistant: run.assistant,
        model: run.model,
        contextWindow,
        question: run.question,
        history: run.history,
        extraInstructions: run.extraInstructions,
        search: async (query) =>
          retrieve(repos(), ctx.embeddings, {
            collections: await run.collections,
            query,
            topK: run.assistant.retrieval.topK,
            mode: run.assistant.retrieval.mode,
          }),
        signal: run.signal,
        now: monotonic,
        startedAt: run.startedAt,
      });
      let result: AnswerResult;
      try {
        for (;;) {
          const next = await answer.next();
          if (next.done) {
            result = next.value;
            break;
          }
          if (next.value.type === 'references') {
            references = next.value.references;
            // The model has been asked: while it thinks, the question is written.
            void run.storeQuestion();
          } else partial += next.value.text;
          yield next.value;
        }
      } catch (error) {
        // Search or budget failed before the model was called: nothing to store but the error.
        const failure = error instanceof AtriumError ? error : null;
        stored = true;
        await run.storeQuestion().catch(() => {});
        yield {
          type: 'error',
          code: failure?.code ?? 'internal_error',
          message: publicErrorMessage(error, 'The knowledge could not be searched because of an internal error'),
        };
        return;
      }
      try {
        await store({ ...result, errorCode: result.error?.code ?? null });
      } catch (error) {
        stored = true;
        yield { type: 'error', code: 'storage_failed', message: publicErrorMessage(error, 'The answer could not be stored because of an internal error') };
        return;
      }
      stored = true;
      if (result.error) yield { type: 'error', ...result.error };
      else
        yield {
          type: 'done',
          messageId,
          conversationId: run.conversation.id,
          finishReason: result.finishReason,
          usage: result.usage,
          timings: result.timings,
          model: result.model,
        };
    } finally {
      // The consumer left early (e.g. `break`): stop the model and keep what was said,
      // marked as cut off.
      if (!stored) {
        await answer?.return(undefined as never).catch(() => {});
        const end = monotonic();
        await store({
          content: partial,
          references,
          citations: [],
          finishReason: 'aborted',
          errorCode: null,
          usage: { promptTokens: 0, completionTokens: 0 },
          timings: { retrievalMs: 0, firstTokenMs: null, totalMs: Math.round(end - run.startedAt) },
          model: run.model.modelId,
        }).catch(() => {});
      }
    }
  }

  return { conversationId: run.conversation.id, messageId, events: events() };
};

const newConversation = (ctx: CoreContext, asker: Asker, assistant: Assistant, question: string): Conversation => {
  const now = ctx.clock.now();
  return {
    id: ctx.ids.next(),
    tenantId: asker.tenantId,
    spaceId: assistant.spaceId,
    assistantId: assistant.id,
    userId: asker.userId,
    visitorId: asker.visitorId,
    visitorIdentity: asker.visitorIdentity,
    apiKeyId: asker.apiKeyId,
    channel: asker.channel,
    title: titleOf(question),
    createdAt: now,
    updatedAt: now,
  };
};

/** What a chat loads while access is being settled: each was a round trip on the way to the first token. */
interface Preloaded {
  collections: Promise<Collection[]>;
  continued: Promise<[Conversation | null, Message[]]> | null;
}

const preload = (ctx: CoreContext, tenantId: string, assistantId: string, conversationId: string | null | undefined): Preloaded => {
  const repos = ctx.store.forTenant(tenantId);
  return {
    collections: settledLater(repos.collections.linkedTo(assistantId)),
    continued: conversationId ? settledLater(Promise.all([repos.conversations.get(conversationId), repos.messages.list(conversationId, HISTORY_LOAD_LIMIT)])) : null,
  };
};

/** Tokens a conversation's answers have used, prompts included. */
const tokensUsed = (messages: Message[]): number =>
  messages.reduce((sum, m) => sum + (m.usage ? m.usage.promptTokens + m.usage.completionTokens : 0), 0);

/**
 * A question to an assistant the asker may use: continues their conversation or starts
 * one, then answers. `tokenCap` bounds what the continued conversation may have used.
 */
const converse = async (
  ctx: CoreContext,
  asker: Asker,
  assistant: Assistant,
  input: ChatInput,
  loaded: Preloaded,
  startedAt: number,
  tokenCap = Number.POSITIVE_INFINITY,
): Promise<ChatStream> => {
  const repos = ctx.store.forTenant(asker.tenantId);
  const model = chatModelFor(ctx, assistant);
  let conversation: Conversation;
  let history: ChatMessage[] = [];
  if (loaded.continued) {
    const [found, earlier] = await loaded.continued;
    // Only the owner continues a conversation; anyone else is told it does not exist.
    if (!found || found.assistantId !== assistant.id || found.userId !== asker.userId || found.visitorId !== asker.visitorId)
      throw notFound('Conversation');
    if (tokensUsed(earlier) >= tokenCap)
      throw new AtriumError('forbidden', 'conversation_limit_reached', 'This conversation has reached its length limit: start a new one');
    conversation = found;
    history = asHistory(earlier);
  } else {
    conversation = newConversation(ctx, asker, assistant, input.message);
  }

  const now = ctx.clock.now();
  // Made here, before the answer's id: messages are ordered by their (time-ordered) ids.
  const questionId = ctx.ids.next();
  const question = { id: questionId, conversationId: conversation.id, role: 'user', content: input.message, createdAt: now } as const;
  const continued = loaded.continued !== null;
  const storeQuestion = once<unknown>(() => (continued ? repos.messages.create(question) : repos.conversations.start(conversation, question)));

  return runChat(ctx, {
    tenantId: asker.tenantId,
    assistant,
    model,
    conversation,
    question: input.message,
    history,
    signal: input.signal,
    startedAt,
    collections: loaded.collections,
    storeQuestion,
  });
};

/**
 * Chat with an assistant (API.md §Assistants and chat). Validation, access and the
 * conversation are settled before this resolves, so those failures are ordinary errors;
 * everything after is reported inside the stream.
 */
export const chat = async (ctx: CoreContext, actor: Actor, assistantId: string, input: ChatInput): Promise<ChatStream> => {
  const startedAt = monotonic();
  checkMessage(input.message);
  // Loaded while access is checked (and discarded if it is refused).
  const loaded = preload(ctx, actor.tenantId, assistantId, input.conversationId);
  const { assistant } = await requireAssistant(ctx.store.forTenant(actor.tenantId), actor, assistantId, 'use');
  return converse(ctx, askerOf(actor, actor.via === 'api_key' ? 'api' : 'app'), assistant, input, loaded, startedAt);
};

/**
 * A widget visitor's question, to the assistant their session is for (access was settled
 * when the widget admitted them). Counts against the widget's budgets first: past them,
 * a 429 with `Retry-After`, and nothing is stored.
 */
export const chatAsVisitor = async (ctx: CoreContext, visitor: AdmittedVisitor, input: ChatInput): Promise<ChatStream> => {
  const startedAt = monotonic();
  checkMessage(input.message);
  const { claims, widget, assistant } = visitor;
  const limited = await ctx.widgetRateLimiter.consume({
    assistantId: assistant.id,
    visitorId: claims.visitorId,
    perMinute: widget.rateLimit.messagesPerMinute,
    perDay: widget.rateLimit.messagesPerDay,
  });
  if (limited)
    throw new AtriumError('rate_limited', 'rate_limited', 'Too many messages: wait a moment before asking again', { retryAfterSeconds: limited.retryAfterSeconds });
  const loaded = preload(ctx, claims.tenantId, assistant.id, input.conversationId);
  const asker: Asker = { tenantId: claims.tenantId, userId: null, visitorId: claims.visitorId, visitorIdentity: claims.identity, apiKeyId: null, channel: 'widget' };
  // Verified visitors are the site's own users; anonymous ones get a bounded conversation.
  const tokenCap = claims.identity ? undefined : ctx.settings.anonymousConversationTokens;
  return converse(ctx, asker, assistant, input, loaded, startedAt, tokenCap);
};

export interface CompletionInput {
  /** The client's messages (OpenAI Chat Completions); the last one is the question. */
  messages: ChatMessage[];
  signal?: AbortSignal | undefined;
}

/**
 * The OpenAI-compatible flavour: the client sends the whole conversation each time.
 * Its system messages are added to the assistant's instructions, the last user message
 * is the question and the turns before it are the history. The exchange is stored as a
 * conversation of channel `openai`, so it shows up in usage and review like any other.
 */
export const completeChat = async (
  ctx: CoreContext,
  actor: Actor,
  assistantId: string,
  input: CompletionInput,
): Promise<ChatStream> => {
  const startedAt = monotonic();
  const last = input.messages.at(-1);
  if (!last || last.role !== 'user') throw invalid([{ path: 'messages', message: 'The last message must be from the user' }]);
  checkMessage(last.content, `messages.${input.messages.length - 1}.content`);
  const repos = ctx.store.forTenant(actor.tenantId);
  const collections = settledLater(repos.collections.linkedTo(assistantId));
  const { assistant } = await requireAssistant(repos, actor, assistantId, 'use');
  const model = chatModelFor(ctx, assistant);

  const earlier = input.messages.slice(0, -1);
  const system = earlier.filter((m) => m.role === 'system').map((m) => m.content.trim()).filter(Boolean);
  const history = earlier.filter((m) => m.role !== 'system' && m.content !== '');
  const conversation = newConversation(ctx, askerOf(actor, 'openai'), assistant, last.content);
  const questionId = ctx.ids.next();
  const now = ctx.clock.now();
  const storeQuestion = once(() =>
    repos.conversations.start(conversation, { id: questionId, conversationId: conversation.id, role: 'user', content: last.content, createdAt: now }),
  );
  return runChat(ctx, {
    collections,
    storeQuestion,
    tenantId: actor.tenantId,
    assistant,
    model,
    conversation,
    question: last.content,
    history,
    extraInstructions: system.length > 0 ? system.join('\n\n') : undefined,
    signal: input.signal,
    startedAt,
  });
};

/** Runs a chat to the end and returns the answer as stored (for `stream: false`). */
export const collectChat = async (stream: ChatStream): Promise<{ conversationId: string; message: Message }> => {
  let references: AnswerResult['references'] = [];
  let content = '';
  for await (const event of stream.events) {
    if (event.type === 'references') references = event.references;
    else if (event.type === 'delta') content += event.text;
    else if (event.type === 'done')
      return {
        conversationId: event.conversationId,
        message: {
          id: event.messageId,
          conversationId: event.conversationId,
          role: 'assistant',
          content,
          references,
          citations: citedIndexes(content, references.length),
          finishReason: event.finishReason,
          errorCode: null,
          model: event.model,
          usage: event.usage,
          timings: event.timings,
          createdAt: new Date(),
          feedback: null,
        },
      };
    else if (event.type === 'error')
      // The question (and what was said) is stored: the caller can retry in the same conversation.
      throw new AtriumError(errorKindFor(event.code), event.code, event.message, {
        conversationId: stream.conversationId,
        ...(event.retryAfterSeconds !== undefined && { retryAfterSeconds: event.retryAfterSeconds }),
      });
  }
  throw new AtriumError('unavailable', 'model_error', 'The answer ended without finishing');
};

/** How a stream's error code maps onto an error kind (and so an HTTP status) when the answer is not streamed. */
export const errorKindFor = (code: string): AtriumError['kind'] => {
  if (code === 'rate_limited') return 'rate_limited';
  if (code === 'context_too_long') return 'invalid';
  return 'unavailable';
};
