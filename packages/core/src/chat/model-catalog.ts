/**
 * What Atrium knows in advance about completion models: how many tokens fit in their
 * context window, how many to keep free for an answer, and whether they are reasoning
 * models (which spend output tokens on hidden reasoning and take different parameters).
 *
 * Pure data and lookups. Ids match exactly first, then by the longest known prefix, so
 * dated snapshots (`gpt-4o-mini-2024-07-18`), Ollama tags (`llama3.1:8b`), fine-tunes
 * (`ft:gpt-4o-mini:acme::abc`) and namespaced ids (`openai/gpt-4o`,
 * `Qwen/Qwen2.5-7B-Instruct`) resolve to their family. Unknown models get
 * {@link FALLBACK_CHAT_MODEL}.
 *
 * The windows are the models' own. A server may serve less: Ollama, for one, truncates
 * prompts to its `num_ctx` setting whatever the model supports, so installations that use
 * it should configure the window they actually serve (the adapters take a `contextWindow`
 * override).
 */

export interface ChatModelSpec {
  /** Prompt plus answer, in tokens. */
  contextWindow: number;
  /** Tokens kept free for the answer when the assistant sets no `maxTokens`. */
  defaultMaxOutputTokens: number;
  /**
   * A reasoning model (OpenAI's o-series, GPT-5): its output budget includes hidden
   * reasoning tokens, it takes `max_completion_tokens` rather than `max_tokens`, and it
   * accepts no `temperature`.
   */
  reasoning: boolean;
}

/** What a lookup returns: the spec, and which catalog entry it came from (null: the fallback). */
export interface ResolvedChatModelSpec extends ChatModelSpec {
  matchedId: string | null;
}

/** Unknown models: a window small enough to be safe on nearly any server. */
export const FALLBACK_CHAT_MODEL: Readonly<ChatModelSpec> = Object.freeze({
  contextWindow: 8192,
  defaultMaxOutputTokens: 1024,
  reasoning: false,
});

const spec = (contextWindow: number, defaultMaxOutputTokens: number, reasoning = false): ChatModelSpec =>
  Object.freeze({ contextWindow, defaultMaxOutputTokens, reasoning });

/**
 * Known models, by id or id prefix (lower case). The output reservations are what a
 * grounded answer needs, not the models' maxima; reasoning models get more, since their
 * reasoning comes out of the same budget.
 */
export const KNOWN_CHAT_MODELS: Readonly<Record<string, Readonly<ChatModelSpec>>> = Object.freeze({
  // OpenAI
  'gpt-5': spec(400_000, 16_384, true), // gpt-5, gpt-5-mini, gpt-5-nano, gpt-5.x
  'gpt-5-chat': spec(128_000, 4096), // the non-reasoning ChatGPT snapshot
  'gpt-4.1': spec(1_047_576, 4096), // gpt-4.1, gpt-4.1-mini, gpt-4.1-nano
  'gpt-4.5': spec(128_000, 4096),
  'gpt-4o': spec(128_000, 4096), // gpt-4o, gpt-4o-mini and their snapshots
  'chatgpt-4o': spec(128_000, 4096),
  'gpt-4-turbo': spec(128_000, 4096),
  'gpt-4-1106': spec(128_000, 4096),
  'gpt-4-0125': spec(128_000, 4096),
  'gpt-4-32k': spec(32_768, 2048),
  'gpt-4': spec(8192, 1024),
  'gpt-3.5-turbo': spec(16_385, 2048),
  'gpt-3.5-turbo-instruct': spec(4096, 1024),
  o1: spec(200_000, 16_384, true),
  'o1-mini': spec(128_000, 16_384, true),
  'o1-preview': spec(128_000, 16_384, true),
  o3: spec(200_000, 16_384, true), // o3, o3-mini, o3-pro
  'o4-mini': spec(200_000, 16_384, true),
  // Open models, as Ollama tags them (`llama3.1:8b`) and as vLLM serves them (Hugging Face ids).
  llama3: spec(8192, 1024),
  'llama3.1': spec(131_072, 2048),
  'llama3.2': spec(131_072, 2048),
  'llama3.3': spec(131_072, 2048),
  'llama-3.1': spec(131_072, 2048),
  'llama-3.2': spec(131_072, 2048),
  'llama-3.3': spec(131_072, 2048),
  'meta-llama-3.1': spec(131_072, 2048),
  'meta-llama-3-': spec(8192, 1024),
  llama2: spec(4096, 1024),
  'qwen2.5': spec(32_768, 2048),
  qwen3: spec(40_960, 4096),
  mistral: spec(32_768, 2048),
  'mistral-nemo': spec(131_072, 2048),
  'mistral-small': spec(32_768, 2048),
  'mistral-large': spec(131_072, 2048),
  mixtral: spec(32_768, 2048),
  gemma2: spec(8192, 1024),
  gemma3: spec(131_072, 2048),
  'gemma-2': spec(8192, 1024),
  'gemma-3': spec(131_072, 2048),
  phi3: spec(4096, 1024),
  phi4: spec(16_384, 2048),
  'deepseek-r1': spec(131_072, 8192),
});

const KNOWN_IDS = Object.keys(KNOWN_CHAT_MODELS).sort((a, b) => b.length - a.length);

const match = (id: string): string | null => {
  if (Object.hasOwn(KNOWN_CHAT_MODELS, id)) return id;
  return KNOWN_IDS.find((known) => id.startsWith(known)) ?? null;
};

/** The catalog entry an id resolves to, or null when the model is unknown. */
export const matchChatModel = (modelId: string): string | null => {
  const id = modelId.trim().toLowerCase();
  if (!id) return null;
  // Fine-tunes name their base model: `ft:gpt-4o-mini-2024-07-18:org:name:id`.
  const base = id.startsWith('ft:') ? id.slice(3) : id;
  const direct = match(base);
  if (direct) return direct;
  // `openai/gpt-4o`, `Qwen/Qwen2.5-7B-Instruct`, `hf.co/org/model`: try the last segment.
  const slash = base.lastIndexOf('/');
  return slash >= 0 ? match(base.slice(slash + 1)) : null;
};

const positiveInteger = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) && value >= 1 ? Math.floor(value) : undefined;

/**
 * The spec for a model, with optional overrides (e.g. the window a server actually
 * serves). The output reservation never exceeds a quarter of the window, so a small
 * overridden window still leaves room for the prompt.
 */
export const chatModelSpecFor = (
  modelId: string,
  overrides: { contextWindow?: number | undefined; defaultMaxOutputTokens?: number | undefined } = {},
): ResolvedChatModelSpec => {
  const matchedId = matchChatModel(modelId);
  const known = matchedId ? KNOWN_CHAT_MODELS[matchedId]! : FALLBACK_CHAT_MODEL;
  const contextWindow = positiveInteger(overrides.contextWindow) ?? known.contextWindow;
  const defaultMaxOutputTokens =
    positiveInteger(overrides.defaultMaxOutputTokens) ?? Math.max(1, Math.min(known.defaultMaxOutputTokens, Math.floor(contextWindow / 4)));
  return { contextWindow, defaultMaxOutputTokens: Math.min(defaultMaxOutputTokens, contextWindow), reasoning: known.reasoning, matchedId };
};

/** The model's context window in tokens: the override when given, else the catalog's, else 8192. */
export const contextWindowFor = (modelId: string, override?: number): number =>
  chatModelSpecFor(modelId, { contextWindow: override }).contextWindow;

/** Tokens to keep free for the answer, for a model (and the window it is served with). */
export const defaultMaxOutputTokensFor = (modelId: string, contextWindow?: number): number =>
  chatModelSpecFor(modelId, { contextWindow }).defaultMaxOutputTokens;

/** Whether the model is a reasoning model (see {@link ChatModelSpec.reasoning}). */
export const isReasoningModel = (modelId: string): boolean => chatModelSpecFor(modelId).reasoning;
