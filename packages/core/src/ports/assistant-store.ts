import type { Assistant, RetrievalSettings } from '../domain/assistants.js';
import type {
  ChatTimings,
  Conversation,
  ConversationChannel,
  ConversationFilter,
  Feedback,
  FinishReason,
  Message,
  Reference,
  TokenUsage,
  UsageOptions,
  UsageReport,
} from '../domain/conversations.js';
import type { Page, PageRequest } from '../domain/pagination.js';
import type { SpaceRole } from '../domain/spaces.js';

export type NewAssistant = Omit<Assistant, 'tenantId'>;

export interface AssistantPatch {
  name?: string;
  description?: string | null;
  instructions?: string;
  model?: string | null;
  temperature?: number | null;
  maxTokens?: number | null;
  collectionIds?: string[];
  websiteIds?: string[];
  retrieval?: RetrievalSettings;
  published?: boolean;
  now: Date;
}

/** An assistant with the caller's membership role in its space (null: not a member). */
export interface AssistantWithRole {
  assistant: Assistant;
  membershipRole: SpaceRole | null;
}

export interface NewMessage {
  id: string;
  conversationId: string;
  role: Message['role'];
  content: string;
  references?: Reference[];
  citations?: number[];
  finishReason?: FinishReason | null;
  errorCode?: string | null;
  model?: string | null;
  usage?: TokenUsage | null;
  timings?: ChatTimings | null;
  createdAt: Date;
}

export interface NewUsageRecord extends TokenUsage {
  messageId: string;
  assistantId: string;
  /** The channel of the answer's conversation, kept with the record (usage outlives conversations). */
  channel: ConversationChannel;
  model: string;
  createdAt: Date;
}

export interface AssistantRepositories {
  assistants: {
    list(spaceId: string, page: PageRequest, filter: { publishedOnly?: boolean }): Promise<Page<Assistant>>;
    /**
     * Every assistant in the spaces `userId` belongs to (all spaces when `allSpaces`), with
     * the user's membership role; at most `limit`, oldest first.
     */
    listForUser(userId: string, filter: { allSpaces: boolean; limit: number }): Promise<AssistantWithRole[]>;
    get(id: string): Promise<Assistant | null>;
    /** One assistant with `userId`'s membership role in its space, in one round trip (access checks run on every chat). */
    getForUser(id: string, userId: string): Promise<AssistantWithRole | null>;
    create(assistant: NewAssistant): Promise<Assistant>;
    update(id: string, patch: AssistantPatch): Promise<Assistant | null>;
    delete(id: string): Promise<boolean>;
  };
  conversations: {
    /** Newest first; only `userId`'s when given, and only those the filter lets through. */
    list(assistantId: string, page: PageRequest, filter: ConversationFilter & { userId?: string }): Promise<Page<Conversation>>;
    get(id: string): Promise<Conversation | null>;
    /** Creates a conversation with its first message, atomically, in one round trip (chat's critical path). */
    start(conversation: Omit<Conversation, 'tenantId'>, first: NewMessage): Promise<void>;
    delete(id: string): Promise<boolean>;
  };
  messages: {
    /** The conversation's messages in order, at most `limit` of the latest. */
    list(conversationId: string, limit: number): Promise<Message[]>;
    get(id: string): Promise<Message | null>;
    create(message: NewMessage): Promise<Message>;
    /**
     * Stores an answer, its usage (when it has any) and the conversation's new updatedAt,
     * atomically, in one round trip.
     */
    append(message: NewMessage, usage: NewUsageRecord | null): Promise<void>;
  };
  feedback: {
    /** Sets (or replaces) the rating of a message. */
    upsert(feedback: Feedback): Promise<Feedback>;
    get(messageId: string): Promise<Feedback | null>;
  };
  usage: {
    /** Totals for [from, to), per assistant and overall; of one channel's answers only when given; per UTC day with `groupBy: 'day'`. */
    report(from: Date, to: Date, options?: UsageOptions): Promise<UsageReport>;
  };
}
