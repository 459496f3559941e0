/**
 * The completion-model port, versioned like `EmbeddingModel` (and shaped after the AI
 * SDK's LanguageModel specs): adapters stream typed parts, core's chat orchestration only
 * ever sees this interface.
 */
import type { TokenUsage } from '../domain/conversations.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A passage offered to the model, numbered as the answer should cite it. */
export interface GroundingSource {
  index: number;
  title: string;
  text: string;
}

export interface ChatRequest {
  /** The full prompt: system instructions with the sources, history, then the question. */
  messages: ChatMessage[];
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /**
   * The question and its sources as structured data. Language models read them from
   * `messages`; models that do not generate text (the local extractive answerer) work
   * from these instead of parsing the prompt.
   */
  grounding?: { question: string; sources: GroundingSource[] } | undefined;
  /** Aborting stops generation and the upstream request. */
  signal?: AbortSignal | undefined;
}

export type ChatFinishReason = 'stop' | 'length' | 'content_filter';

/** What a stream yields: text deltas, then exactly one `finish`. */
export type ChatStreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; finishReason: ChatFinishReason; usage?: TokenUsage | undefined };

export interface ChatModel {
  readonly specificationVersion: 'v1';
  /** The id assistants name, e.g. `gpt-4o-mini` or `local-extractive-v1`. */
  readonly modelId: string;
  /** e.g. `openai` (any OpenAI-compatible API) or `local`. */
  readonly provider: string;
  /** Prompt plus answer, in tokens: the budget that instructions, history and sources share. */
  readonly contextWindow: number;
  /** Tokens kept free for the answer when the assistant sets no `maxTokens`. */
  readonly defaultMaxOutputTokens: number;
  /**
   * Streams one answer. Failures throw an `AtriumError` with a stable code
   * (`model_unavailable`, `rate_limited`, `context_too_long`, `model_timeout`,
   * `model_error`), either before the first part or while iterating; an aborted signal
   * ends iteration by throwing the signal's reason.
   */
  stream(request: ChatRequest): AsyncIterable<ChatStreamPart>;
}

/** Which completion models this installation can use, and which one assistants get by default. */
export interface ChatModels {
  readonly defaultModelId: string;
  get(modelId: string): ChatModel | null;
  /** The models to list (a provider may accept more ids than it lists). */
  list(): ChatModel[];
}
