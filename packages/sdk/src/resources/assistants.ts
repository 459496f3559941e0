import type { PagePromise } from '../core/pagination.js';
import type { ChatStream } from '../core/streaming.js';
import type { RequestOptions, TransportConfig } from '../internal/request.js';
import { path, send } from '../internal/request.js';
import { APIResource, call, list, stream } from '../internal/resource.js';
import type { WidgetIdentitySecret, WidgetSettings, WidgetSettingsParams } from '../types.js';
import type {
  Assistant,
  AssistantCreateParams,
  AssistantUpdateParams,
  ChatParams,
  ChatResponse,
  ChatResponseAnswer,
  Conversation,
  ConversationExportParams,
  ConversationListParams,
  PageParams,
} from '../types.js';

/** The `ChatAnswer` fields of the server's non-streamed JSON answer. */
export const answerOf = (json: ChatResponse): ChatResponseAnswer => ({
  ...json,
  id: json.message.id,
  content: json.message.content,
  references: json.message.references,
  usage: json.message.usage,
  finishReason: json.message.finishReason,
});

/** An assistant's widget: who may embed it, how it looks, its limits and public key. */
export class AssistantWidget extends APIResource {
  retrieve(assistantId: string, options?: RequestOptions): Promise<WidgetSettings> {
    return call(this._transport, 'GET', path`/api/v1/assistants/${assistantId}/widget`, {}, options);
  }
  update(assistantId: string, body: WidgetSettingsParams, options?: RequestOptions): Promise<WidgetSettings> {
    return call(this._transport, 'PUT', path`/api/v1/assistants/${assistantId}/widget`, { body }, options);
  }
  /** A new `publicKey`; the old one stops working. */
  rotateKey(assistantId: string, options?: RequestOptions): Promise<WidgetSettings> {
    return call(this._transport, 'POST', path`/api/v1/assistants/${assistantId}/widget/rotate-key`, {}, options);
  }
  /** The HS256 secret a host site signs visitor identities with; shown once. */
  createIdentitySecret(assistantId: string, options?: RequestOptions): Promise<WidgetIdentitySecret> {
    return call(this._transport, 'POST', path`/api/v1/assistants/${assistantId}/widget/identity-secret`, {}, options);
  }
}

/** An assistant's conversations: the caller's own, or with `scope: 'all'` everyone's. */
export class AssistantConversations extends APIResource {
  list(assistantId: string, query?: ConversationListParams & PageParams, options?: RequestOptions): PagePromise<Conversation> {
    return list(this._transport, path`/api/v1/assistants/${assistantId}/conversations`, query, options);
  }
  /** A download (`csv` or `jsonl`) of the conversations a listing with the same scope and filters shows, as a Response whose body streams. */
  async export(assistantId: string, query: ConversationExportParams, options?: RequestOptions): Promise<Response> {
    const request = { method: 'GET' as const, path: path`/api/v1/assistants/${assistantId}/conversations/export`, query, accept: '*/*' };
    return (await send(this._transport, request, options)).response;
  }
}

export class Assistants extends APIResource {
  readonly widget: AssistantWidget;
  readonly conversations: AssistantConversations;

  constructor(transport: TransportConfig) {
    super(transport);
    this.widget = new AssistantWidget(transport);
    this.conversations = new AssistantConversations(transport);
  }

  list(spaceId: string, query?: PageParams, options?: RequestOptions): PagePromise<Assistant> {
    return list(this._transport, path`/api/v1/spaces/${spaceId}/assistants`, query, options);
  }
  create(spaceId: string, body: AssistantCreateParams, options?: RequestOptions): Promise<Assistant> {
    return call(this._transport, 'POST', path`/api/v1/spaces/${spaceId}/assistants`, { body }, options);
  }
  retrieve(assistantId: string, options?: RequestOptions): Promise<Assistant> {
    return call(this._transport, 'GET', path`/api/v1/assistants/${assistantId}`, {}, options);
  }
  update(assistantId: string, body: AssistantUpdateParams, options?: RequestOptions): Promise<Assistant> {
    return call(this._transport, 'PATCH', path`/api/v1/assistants/${assistantId}`, { body }, options);
  }
  delete(assistantId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/assistants/${assistantId}`, {}, options);
  }

  /**
   * Asks the assistant. Streams by default: iterate the events, or `await
   * stream.finalMessage()`. With `stream: false`, the whole answer as JSON.
   */
  chat(assistantId: string, body: ChatParams & { stream: false }, options?: RequestOptions): Promise<ChatResponseAnswer>;
  chat(assistantId: string, body: ChatParams & { stream?: true }, options?: RequestOptions): Promise<ChatStream>;
  async chat(assistantId: string, body: ChatParams & { stream?: boolean }, options?: RequestOptions): Promise<ChatStream | ChatResponseAnswer> {
    const chatPath = path`/api/v1/assistants/${assistantId}/chat`;
    if (body.stream === false) return answerOf(await call<ChatResponse>(this._transport, 'POST', chatPath, { body }, options));
    return stream(this._transport, chatPath, body, options);
  }
}
