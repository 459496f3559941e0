/** Conversations between a user (or a widget visitor) and an assistant, with their messages and feedback. */

export const CONVERSATION_CHANNELS = ['app', 'api', 'openai', 'widget'] as const;
/**
 * Where a conversation came from: `app` (a signed-in user's session, e.g. the console),
 * `api` (an API key), the OpenAI-compatible endpoint, or the widget.
 */
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];

/** A widget visitor as the host site's backend identified them. */
export interface VisitorIdentity {
  /** The site's own id for its user (the token's `sub`). */
  subject: string;
  name?: string;
  email?: string;
}

export interface Conversation {
  id: string;
  tenantId: string;
  spaceId: string;
  assistantId: string;
  /** The user who owns it; null for anonymous widget visitors. */
  userId: string | null;
  /** The widget visitor who owns it. */
  visitorId: string | null;
  /** Who that visitor is, when the host site vouched for them (a verified identity token); null otherwise. */
  visitorIdentity: VisitorIdentity | null;
  /** The API key that asked (channels `api` and `openai`), acting for `userId`; null otherwise. */
  apiKeyId: string | null;
  channel: ConversationChannel;
  /** The start of the first question. */
  title: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Which conversations a review lists: by channel, by the feedback their answers got, by when they started. */
export interface ConversationFilter {
  channel?: ConversationChannel | undefined;
  /** Conversations with at least one answer rated `up`, `down`, or either (`any`). */
  feedback?: 'up' | 'down' | 'any' | undefined;
  /** Started at or after. */
  from?: Date | undefined;
  /** Started before. */
  to?: Date | undefined;
}

export const MESSAGE_ROLES = ['user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/**
 * How generation ended: `stop` (the model finished), `length` (it hit the token limit),
 * `content_filter`, `aborted` (the client went away: the message is partial) or `error`
 * (the model failed: the message holds whatever came before).
 */
export const FINISH_REASONS = ['stop', 'length', 'content_filter', 'aborted', 'error'] as const;
export type FinishReason = (typeof FINISH_REASONS)[number];

/** A retrieved passage given to the model; answers cite it as `[index]`. */
export interface Reference {
  /** The chunk's id. */
  id: string;
  /** 1-based, as cited in the answer. */
  index: number;
  documentId: string;
  documentTitle: string;
  url?: string;
  text: string;
  score: number;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatTimings {
  /** Loading history and searching the knowledge. */
  retrievalMs: number;
  /** From the request to the first token of the answer; null when no token came. */
  firstTokenMs: number | null;
  totalMs: number;
}

export interface Message {
  id: string;
  conversationId: string;
  role: MessageRole;
  content: string;
  /** The passages the answer was grounded on (assistant messages). */
  references: Reference[];
  /** The reference indexes the answer actually cites, in order of first citation. */
  citations: number[];
  /** Assistant messages: how generation ended; null for user messages. */
  finishReason: FinishReason | null;
  /** The stable code of the failure when finishReason is `error`. */
  errorCode: string | null;
  model: string | null;
  usage: TokenUsage | null;
  timings: ChatTimings | null;
  createdAt: Date;
  /** Assistant messages: the rating their asker gave, if any. */
  feedback: Feedback | null;
}

export const FEEDBACK_RATINGS = ['up', 'down'] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

export interface Feedback {
  messageId: string;
  rating: FeedbackRating;
  comment: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Tokens used over a period, for the tenant and per assistant. */
export interface UsageTotals extends TokenUsage {
  /** Assistant messages (answers) generated. */
  messages: number;
}

export interface UsageReport {
  from: Date;
  to: Date;
  /** The channel the report counts, when it was asked for one. */
  channel?: ConversationChannel | undefined;
  total: UsageTotals;
  assistants: (UsageTotals & { assistantId: string; name: string | null })[];
  /** With `groupBy: 'day'`: every UTC day the period touches, oldest first, days without answers included. */
  series?: (UsageTotals & { date: string })[];
}

export interface UsageOptions {
  channel?: ConversationChannel | undefined;
  groupBy?: 'day' | undefined;
}
