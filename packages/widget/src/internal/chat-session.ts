import type { ChatEvent, ConversationWithMessages, Reference, WidgetConfig } from '@atrium/sdk/widget';
import type { ChatStorage } from './storage.js';
import { isAbort, toWidgetError, type Reachability, type WidgetError } from './errors.js';

export type Rating = 'up' | 'down';

export interface ChatMessage {
  /** Stable while the page lives, for rendering: the server id of a loaded message, a local one otherwise. */
  key: string;
  role: 'user' | 'assistant';
  text: string;
  /** The server's id of an answer, once its stream has said it. */
  id: string | undefined;
  references: readonly Reference[];
  streaming: boolean;
  feedback: Rating | undefined;
}

export interface ChatState {
  /** `loading`: config and history are being fetched. */
  status: 'idle' | 'loading' | 'ready' | 'streaming';
  config: WidgetConfig | undefined;
  messages: readonly ChatMessage[];
  conversationId: string | undefined;
  error: WidgetError | undefined;
}

/** The part of `AtriumWidgetClient` the session uses, so tests can hand it a fake. */
export interface WidgetClientLike {
  config(): Promise<WidgetConfig>;
  chat(body: { message: string; conversationId?: string | undefined }, options?: { signal?: AbortSignal }): Promise<AsyncIterable<ChatEvent>>;
  conversation(conversationId: string): Promise<ConversationWithMessages>;
  feedback(messageId: string, body: { rating: Rating }): Promise<unknown>;
}

export interface ClientOptions {
  identityToken: string | undefined;
  visitorToken: string | undefined;
  onVisitorToken: (visitorToken: string) => void;
}

export interface ChatSessionOptions {
  createClient: (options: ClientOptions) => WidgetClientLike;
  storage: ChatStorage;
  reachable: Reachability;
  identityToken?: string | undefined;
  /** A visitor's message was sent, or an answer finished. */
  onMessage?: (message: ChatMessage, conversationId: string | undefined) => void;
  onError?: (error: WidgetError) => void;
}

/**
 * One chat, framework-free: config, messages, the streaming answer, errors and what is
 * kept across reloads. UIs subscribe and render `state`; every change makes a new state
 * object (and new objects for the messages that changed), in the manner of TanStack
 * Query's observers.
 */
export class ChatSession {
  #state: ChatState = { status: 'idle', config: undefined, messages: [], conversationId: undefined, error: undefined };
  #listeners = new Set<(state: ChatState) => void>();
  #options: ChatSessionOptions;
  #client: WidgetClientLike;
  #abort: AbortController | undefined;
  #retry: (() => Promise<void>) | undefined;
  #nextKey = 0;

  constructor(options: ChatSessionOptions) {
    this.#options = options;
    this.#client = this.#createClient(options.identityToken);
  }

  get state(): ChatState {
    return this.#state;
  }

  subscribe(listener: (state: ChatState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the config, and the kept conversation's history. Call once. */
  async start(): Promise<void> {
    this.#set({ status: 'loading', error: undefined });
    try {
      const config = await this.#client.config();
      this.#set({ config });
      const { conversationId } = this.#options.storage.load();
      if (conversationId) await this.#restore(conversationId);
      this.#set({ status: 'ready' });
    } catch (error) {
      await this.#fail(error, true, () => this.start());
    }
  }

  /** Asks a question; ignored while an answer is streaming. */
  async send(text: string): Promise<void> {
    const message = text.trim();
    if (!message || this.#state.status === 'streaming') return;
    const question = this.#message('user', message);
    this.#set({ messages: [...this.#state.messages, question], error: undefined });
    this.#options.onMessage?.(question, this.#state.conversationId);
    await this.#ask(message);
  }

  /** Repeats what failed: the last question, or loading the widget. */
  async retry(): Promise<void> {
    const retry = this.#retry;
    this.#retry = undefined;
    this.#set({ error: undefined });
    await retry?.();
  }

  /** A new conversation: stops an answer in progress and forgets the current one. */
  reset(): void {
    this.stop();
    this.#retry = undefined;
    this.#options.storage.save({ conversationId: undefined });
    const status = this.#state.config ? 'ready' : this.#state.status;
    this.#set({ messages: [], conversationId: undefined, error: undefined, status: status === 'streaming' ? 'ready' : status });
  }

  /** Becomes a verified visitor (or anonymous again with undefined): a new visitor, so a new conversation. */
  identify(identityToken: string | undefined): void {
    this.reset();
    this.#options.storage.save({ visitorToken: undefined });
    this.#client = this.#createClient(identityToken);
  }

  /** Rates an answer; shown at once, and taken back if the server refuses it. */
  async feedback(messageId: string, rating: Rating): Promise<void> {
    const before = this.#state.messages.find((m) => m.id === messageId)?.feedback;
    this.#patch((m) => m.id === messageId, { feedback: rating });
    try {
      await this.#client.feedback(messageId, { rating });
    } catch (error) {
      this.#patch((m) => m.id === messageId, { feedback: before });
      await this.#fail(error, true, () => this.feedback(messageId, rating));
    }
  }

  /** Stops an answer in progress (the element left the page). */
  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  #createClient(identityToken: string | undefined): WidgetClientLike {
    const { storage, createClient } = this.#options;
    return createClient({
      identityToken,
      visitorToken: storage.load().visitorToken,
      onVisitorToken: (visitorToken) => storage.save({ visitorToken }),
    });
  }

  async #restore(conversationId: string): Promise<void> {
    try {
      const conversation = await this.#client.conversation(conversationId);
      const messages = conversation.messages.map(
        (m): ChatMessage => ({
          key: m.id,
          role: m.role,
          text: m.content,
          id: m.id,
          references: m.references,
          streaming: false,
          feedback: m.feedback?.rating,
        }),
      );
      this.#set({ messages, conversationId });
    } catch (error) {
      // Gone, or another visitor's (a new session after the old one lapsed): start afresh.
      if (error instanceof Error && 'status' in error && error.status === 404) this.#options.storage.save({ conversationId: undefined });
      else throw error;
    }
  }

  async #ask(message: string): Promise<void> {
    const answer = this.#message('assistant', '');
    answer.streaming = true;
    this.#set({ messages: [...this.#state.messages, answer], status: 'streaming' });
    const abort = new AbortController();
    this.#abort = abort;
    const isAnswer = (m: ChatMessage) => m.key === answer.key;
    let responded = false;
    // Stopped by reset() or stop(): leave the state to them, unless another answer has begun since.
    const settle = () => {
      this.#patch(isAnswer, { streaming: false });
      if (this.#abort === undefined && this.#state.status === 'streaming') this.#set({ status: 'ready' });
    };
    try {
      const stream = await this.#client.chat({ message, conversationId: this.#state.conversationId }, { signal: abort.signal });
      responded = true;
      for await (const event of stream) {
        if (abort.signal.aborted) return settle();
        if (event.type === 'start') {
          this.#options.storage.save({ conversationId: event.conversationId });
          this.#set({ conversationId: event.conversationId });
          this.#patch(isAnswer, { id: event.messageId });
        } else if (event.type === 'references') this.#patch(isAnswer, { references: event.references });
        else if (event.type === 'delta') this.#patch(isAnswer, (m) => ({ text: m.text + event.text }));
        else if (event.type === 'done') this.#patch(isAnswer, { id: event.messageId });
      }
      this.#patch(isAnswer, { streaming: false });
      this.#set({ status: 'ready' });
      const done = this.#state.messages.find(isAnswer);
      if (done) this.#options.onMessage?.(done, this.#state.conversationId);
    } catch (error) {
      if (abort.signal.aborted || isAbort(error)) return settle();
      // A partial answer stays (the server keeps it too); an empty one goes.
      const partial = this.#state.messages.find(isAnswer);
      const messages = partial?.text ? this.#state.messages : this.#state.messages.filter((m) => !isAnswer(m));
      this.#set({ messages, status: 'ready' });
      this.#patch(isAnswer, { streaming: false });
      await this.#fail(error, !responded, () => this.#ask(message));
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
    }
  }

  async #fail(error: unknown, beforeResponse: boolean, retry: (() => Promise<void>) | undefined): Promise<void> {
    const widgetError = await toWidgetError(error, this.#options.reachable, beforeResponse);
    this.#retry = retry;
    this.#set({ error: widgetError, status: this.#state.config ? 'ready' : 'idle' });
    this.#options.onError?.(widgetError);
  }

  #message(role: ChatMessage['role'], text: string): ChatMessage {
    return { key: `local-${++this.#nextKey}`, role, text, id: undefined, references: [], streaming: false, feedback: undefined };
  }

  #patch(match: (m: ChatMessage) => boolean, change: Partial<ChatMessage> | ((m: ChatMessage) => Partial<ChatMessage>)): void {
    const messages = this.#state.messages.map((m) => (match(m) ? { ...m, ...(typeof change === 'function' ? change(m) : change) } : m));
    this.#set({ messages });
  }

  #set(change: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...change };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
