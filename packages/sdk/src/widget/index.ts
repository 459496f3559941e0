/**
 * `@atrium/sdk/widget`: the public widget API for browsers, with a widget public key
 * (`atr_pk_...`) instead of a secret. It creates the visitor session itself and renews
 * it before it expires (or when the server says it has).
 */
import { AuthenticationError } from '../core/errors.js';
import type { ChatStream } from '../core/streaming.js';
import type { RequestOptions, TransportConfig } from '../internal/request.js';
import { path, requestJSON } from '../internal/request.js';
import { stream } from '../internal/resource.js';
import type { ConversationWithMessages, Feedback, FeedbackParams, WidgetConfig, WidgetSession } from '../types.js';

export interface WidgetClientOptions {
  /** The assistant's widget public key (`atr_pk_...`). */
  publicKey: string;
  baseURL: string;
  /** A JWT the host site's backend signed with the identity secret: a verified visitor. */
  identityToken?: string | undefined;
  /**
   * A visitor token kept from an earlier page view (e.g. in localStorage). The first session
   * renews it, so the visitor stays the same visitor and keeps their conversations.
   */
  visitorToken?: string | undefined;
  /** Called with every visitor token the server hands out, so the page can keep it for the next view. */
  onVisitorToken?: ((visitorToken: string) => void) | undefined;
  timeout?: number | undefined;
  maxRetries?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export interface WidgetChatParams {
  message: string;
  conversationId?: string | undefined;
}

/** Renew this long before the server would refuse the token, so a request in flight never carries a stale one. */
const RENEW_MARGIN_MS = 30_000;

export class AtriumWidgetClient {
  readonly publicKey: string;
  readonly baseURL: string;
  #identityToken: string | undefined;
  #transport: TransportConfig;
  #session: { token: string; renewAt: number } | undefined;
  /** The last token the server gave, expired or not: renewing with it keeps this visitor (and their conversations). */
  #lastToken: string | undefined;
  #renewing: Promise<string> | undefined;
  #onVisitorToken: ((visitorToken: string) => void) | undefined;

  constructor(options: WidgetClientOptions) {
    this.publicKey = options.publicKey;
    this.baseURL = options.baseURL;
    this.#identityToken = options.identityToken;
    this.#lastToken = options.visitorToken;
    this.#onVisitorToken = options.onVisitorToken;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    this.#transport = {
      baseURL: options.baseURL,
      timeout: options.timeout ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      fetch: (input, init) => fetchImpl(input, init),
      headers: () => ({}),
    };
  }

  /** Name, greeting, starter prompts and theme of the widget. */
  config(options?: RequestOptions): Promise<WidgetConfig> {
    return requestJSON(this.#transport, { method: 'GET', path: '/api/v1/widget/config', query: { key: this.publicKey } }, options);
  }

  /** Asks the assistant; the same stream object as `atrium.assistants.chat`. */
  chat(body: WidgetChatParams, options?: RequestOptions): Promise<ChatStream> {
    return this.#asVisitor((t) => stream(t, '/api/v1/widget/chat', body, options));
  }

  /** One of this visitor's own conversations, with its messages. */
  conversation(conversationId: string, options?: RequestOptions): Promise<ConversationWithMessages> {
    return this.#asVisitor((t) => requestJSON(t, { method: 'GET', path: path`/api/v1/widget/conversations/${conversationId}` }, options));
  }

  feedback(messageId: string, body: FeedbackParams, options?: RequestOptions): Promise<Feedback> {
    return this.#asVisitor((t) =>
      requestJSON(t, { method: 'POST', path: path`/api/v1/widget/messages/${messageId}/feedback`, body }, options),
    );
  }

  /** Runs `request` with the visitor token; once more with a fresh session if the server refused it. */
  async #asVisitor<T>(request: (transport: TransportConfig) => Promise<T>): Promise<T> {
    const withToken = (token: string): TransportConfig => ({ ...this.#transport, headers: () => ({ Authorization: `Bearer ${token}` }) });
    const token = await this.#visitorToken();
    try {
      return await request(withToken(token));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      if (this.#session?.token === token) this.#session = undefined;
      return request(withToken(await this.#visitorToken()));
    }
  }

  #visitorToken(): Promise<string> {
    if (this.#session && Date.now() < this.#session.renewAt) return Promise.resolve(this.#session.token);
    // Concurrent calls share one session request.
    this.#renewing ??= requestJSON<WidgetSession>(this.#transport, {
      method: 'POST',
      path: '/api/v1/widget/sessions',
      body: {
        key: this.publicKey,
        ...(this.#identityToken && { identityToken: this.#identityToken }),
        ...(this.#lastToken && { visitorToken: this.#lastToken }),
      },
    })
      .then((session) => {
        const lifetime = session.expiresIn * 1000;
        // Short-lived tokens are renewed at half their life rather than at once.
        this.#session = { token: session.visitorToken, renewAt: Date.now() + Math.max(lifetime - RENEW_MARGIN_MS, lifetime / 2) };
        this.#lastToken = session.visitorToken;
        this.#onVisitorToken?.(session.visitorToken);
        return session.visitorToken;
      })
      .finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }
}

export {
  AtriumError,
  APIError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  ChatStreamError,
} from '../core/errors.js';
export { ChatStream } from '../core/streaming.js';
export type { RequestOptions } from '../internal/request.js';
export type { WidgetConfig, WidgetSession } from '../types.js';
export type {
  ChatAnswer,
  ChatEvent,
  ChatStartEvent,
  ChatReferencesEvent,
  ChatDeltaEvent,
  ChatDoneEvent,
  ChatErrorEvent,
  ConversationWithMessages,
  Feedback,
  FeedbackParams,
  Message,
  Reference,
} from '../types.js';
