import { readEvents } from '../internal/sse.js';
import type { ChatAnswer, ChatEvent } from '../types.js';
import { APIConnectionError, APIUserAbortError, AtriumError, ChatStreamError } from './errors.js';

const EVENT_TYPES = new Set(['start', 'references', 'delta', 'done', 'error']);

/**
 * A streamed chat answer: an async iterable of typed events, once. `break` out of the
 * loop aborts the HTTP request, which makes the server stop generating. An `error`
 * event is thrown as ChatStreamError. `finalMessage()` and `text()` read the stream to
 * its end (or wait for the loop that is reading it) and return the whole answer.
 */
export class ChatStream implements AsyncIterable<ChatEvent> {
  #response: Response;
  #controller: AbortController;
  #release: () => void;
  #iterating = false;
  #answer: Partial<ChatAnswer> & { content: string } = { content: '', references: [], usage: null, finishReason: null };
  #settled: Promise<ChatAnswer>;
  #settle!: { resolve: (answer: ChatAnswer) => void; reject: (error: unknown) => void };

  constructor(response: Response, controller: AbortController, release: () => void = () => {}) {
    this.#response = response;
    this.#controller = controller;
    this.#release = release;
    this.#settled = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Nobody may ever call finalMessage(): its rejection must not be unhandled.
    this.#settled.catch(() => {});
  }

  /** Aborts the request; the iterator then ends. */
  abort(): void {
    this.#controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    if (this.#iterating) throw new AtriumError('A chat stream can be iterated only once');
    this.#iterating = true;
    if (!this.#response.body) throw new AtriumError('The chat response has no body');
    try {
      for await (const sse of readEvents(this.#response.body)) {
        if (!EVENT_TYPES.has(sse.event)) continue; // unknown events are for newer clients
        const event = { ...(JSON.parse(sse.data) as object), type: sse.event } as ChatEvent;
        if (event.type === 'error') throw new ChatStreamError(event.code, event.message, event.retryAfterSeconds);
        this.#record(event);
        yield event;
        if (event.type === 'done') break;
      }
      if (this.#answer.id === undefined) throw new AtriumError('The chat stream ended before its answer was complete');
    } catch (cause) {
      const error = this.#classify(cause);
      this.#settle.reject(error);
      throw error;
    } finally {
      // Also reached by a `break` (or a throw) in the caller's loop: stop the server generating.
      this.#controller.abort();
      this.#release();
      if (this.#answer.id !== undefined) this.#settle.resolve(this.#answer as ChatAnswer);
      else this.#settle.reject(new AtriumError('The chat stream was not read to its end'));
    }
  }

  /** A failed body read is an abort (ours or the caller's) or a dropped connection, typed as such. */
  #classify(cause: unknown): unknown {
    if (cause instanceof AtriumError) return cause;
    if (this.#controller.signal.aborted) return new APIUserAbortError('The chat stream was aborted', { cause });
    if (cause instanceof SyntaxError) return new AtriumError(`The chat stream sent malformed data: ${cause.message}`, { cause });
    return new APIConnectionError('The chat stream was interrupted', { cause });
  }

  #record(event: ChatEvent): void {
    const answer = this.#answer;
    if (event.type === 'start') answer.conversationId = event.conversationId;
    else if (event.type === 'references') answer.references = event.references;
    else if (event.type === 'delta') answer.content += event.text;
    else if (event.type === 'done') {
      answer.id = event.messageId;
      answer.conversationId ??= event.conversationId;
      answer.usage = event.usage;
      answer.finishReason = event.finishReason;
    }
  }

  /** The whole answer, once the stream has ended. */
  async finalMessage(): Promise<ChatAnswer> {
    if (!this.#iterating) for await (const _ of this) void _;
    return this.#settled;
  }

  /** The answer's text, once the stream has ended. */
  async text(): Promise<string> {
    return (await this.finalMessage()).content;
  }

  /**
   * The events as newline-delimited JSON bytes, e.g. to hand on from a server route to a
   * browser. Cancelling the readable aborts the request.
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream({
      async pull(controller) {
        try {
          const { done, value } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  }
}
