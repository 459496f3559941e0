/**
 * Readable names for the types generated from the server's OpenAPI document
 * (generated/openapi.ts). Resources and users import these, never the index types.
 */
import type { components, paths } from './generated/openapi.js';

type Schemas = components['schemas'];

type Operation<P extends keyof paths, M extends keyof paths[P]> = paths[P][M];
/** The JSON request body of an operation. */
type Body<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
/** The query parameters of an operation. */
type Query<P extends keyof paths, M extends keyof paths[P]> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Me = Schemas['Me'];
export type User = Schemas['User'];
export type Tenant = Schemas['Tenant'];
export type ApiKey = Schemas['ApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type Space = Schemas['Space'];
export type Member = Schemas['Member'];
export type Collection = Schemas['Collection'];
/** A PostgreSQL text-search configuration: a collection's `language` (`english`, `swedish`, …, `simple`). */
export type Language = Schemas['Language'];
/** PATCH's answer: the collection, and the `reindex_collection` job a new `language` started (else null). */
export type UpdatedCollection = Schemas['UpdatedCollection'];
export type Document = Schemas['Document'];
export type DocumentStatus = Document['status'];
export type AcceptedDocument = Schemas['AcceptedDocument'];
/** `documents.retry`: the document, queued again, and its new job (the same shape as an upload's answer). */
export type RetriedDocument = AcceptedDocument;
export type Job = NonNullable<Schemas['Job']>;
export type Chunk = Schemas['Chunk'];
export type SearchHit = Schemas['SearchHit'];
export type SearchResults = Schemas['SearchResults'];
export type Assistant = Schemas['Assistant'];
export type Conversation = Schemas['Conversation'];
export type ConversationWithMessages = Schemas['ConversationWithMessages'];
export type Message = Schemas['Message'];
export type Reference = Schemas['Reference'];
export type TokenUsage = NonNullable<Schemas['TokenUsage']>;
export type ChatTimings = Schemas['ChatTimings'];
export type Feedback = NonNullable<Schemas['Feedback']>;
export type UsageReport = Schemas['UsageReport'];
export type ModelCatalog = Schemas['ModelCatalog'];
export type ChatResponse = Schemas['ChatResponse'];
export type Problem = Schemas['Problem'];
export type WidgetSettings = Schemas['WidgetSettings'];
export type WidgetSettingsParams = Schemas['WidgetSettingsUpdate'];
export type WidgetTheme = Schemas['WidgetTheme'];
export type WidgetIdentitySecret = Schemas['WidgetIdentitySecret'];
export type WidgetConfig = Schemas['WidgetConfig'];
export type WidgetSession = Schemas['VisitorSession'];
/** A website crawled into its own collection (`collectionId`), with its latest run. */
export type Website = Schemas['Website'];
export type WebsiteMode = Website['mode'];
export type WebsiteSchedule = Website['schedule'];
/** One crawl: live `progress` while it runs, final `stats` when it ends. */
export type WebsiteRun = Schemas['CrawlRun'];
export type CrawlProgress = Schemas['CrawlProgress'];
export type CrawlStats = Schemas['CrawlStats'];
/** `websites.crawl`: the run and its `crawl_website` job (the document's Job is nullable where another route reuses it). */
export type CrawlStarted = Omit<Schemas['CrawlStarted'], 'job'> & { job: Job };
/** A crawled page: a document of the website's collection (`source` is the page URL). */
export type WebsiteDocument = Document;

/** `limit` (1–100, default 20) and `cursor` (from a page's `nextCursor`). */
export interface PageParams {
  limit?: number;
  cursor?: string;
}

export type UserCreateParams = Body<'/api/v1/users', 'post'>;
export type UserUpdateParams = Body<'/api/v1/users/{id}', 'patch'>;
export type ApiKeyCreateParams = Body<'/api/v1/api-keys', 'post'>;
export type SpaceCreateParams = Body<'/api/v1/spaces', 'post'>;
export type SpaceUpdateParams = Body<'/api/v1/spaces/{spaceId}', 'patch'>;
export type MemberCreateParams = Body<'/api/v1/spaces/{spaceId}/members', 'post'>;
export type MemberUpdateParams = Body<'/api/v1/spaces/{spaceId}/members/{userId}', 'patch'>;
export type CollectionCreateParams = Body<'/api/v1/spaces/{spaceId}/collections', 'post'>;
export type CollectionUpdateParams = Body<'/api/v1/collections/{collectionId}', 'patch'>;
export type SearchParams = Schemas['SearchRequest'];
export type DocumentListParams = Query<'/api/v1/collections/{collectionId}/documents', 'get'>;
export type WebsiteCreateParams = Schemas['CreateWebsite'];
export type WebsiteUpdateParams = Schemas['UpdateWebsite'];
export type WebsiteDocumentListParams = Query<'/api/v1/websites/{websiteId}/documents', 'get'>;
export type AssistantCreateParams = Schemas['CreateAssistant'];
export type AssistantUpdateParams = Schemas['UpdateAssistant'];
export type FeedbackParams = Schemas['FeedbackRequest'];
export type ChatParams = Omit<Body<'/api/v1/assistants/{assistantId}/chat', 'post'>, 'stream'>;

/** Whose conversations (`scope`), and which: `channel`, `feedback`, `from`, `to` (ISO 8601). */
export type ConversationListParams = Omit<Query<'/api/v1/assistants/{assistantId}/conversations', 'get'>, 'limit' | 'cursor'>;
/** The listing's scope and filters, and the `format`: `csv` (a row per message) or `jsonl` (a conversation per line). */
export type ConversationExportParams = Query<'/api/v1/assistants/{assistantId}/conversations/export', 'get'>;

/** The period (`from`, `to`), a `channel`, and `groupBy: 'day'` for the daily `series`. */
export type UsageParams = Query<'/api/v1/usage', 'get'>;

// ---------------------------------------------------------------------------------------
// Chat stream events (API.md §Streaming). The OpenAPI document describes the stream as
// text only, so these follow API.md and the server's `done` event.

export interface ChatStartEvent {
  type: 'start';
  conversationId: string;
  messageId: string;
}
export interface ChatReferencesEvent {
  type: 'references';
  references: Reference[];
}
export interface ChatDeltaEvent {
  type: 'delta';
  text: string;
}
export interface ChatDoneEvent {
  type: 'done';
  messageId: string;
  conversationId?: string;
  finishReason: NonNullable<Message['finishReason']>;
  usage: TokenUsage | null;
  timings?: ChatTimings;
  model?: string;
}
export interface ChatErrorEvent {
  type: 'error';
  code: string;
  message: string;
  retryAfterSeconds?: number;
}
/** What a chat stream yields. An `error` event is thrown as `ChatStreamError` by the iterator. */
export type ChatEvent = ChatStartEvent | ChatReferencesEvent | ChatDeltaEvent | ChatDoneEvent | ChatErrorEvent;

/** A finished answer, whether streamed (`stream.finalMessage()`) or not (`stream: false`). */
export interface ChatAnswer {
  /** The answer's message id (for `messages.feedback`). */
  id: string;
  conversationId: string;
  content: string;
  references: Reference[];
  usage: TokenUsage | null;
  finishReason: ChatDoneEvent['finishReason'] | null;
}

/** `stream: false`: the server's JSON answer (`conversationId`, `message`) plus the `ChatAnswer` fields. */
export type ChatResponseAnswer = ChatResponse & ChatAnswer;
