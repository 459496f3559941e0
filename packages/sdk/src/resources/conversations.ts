import type { RequestOptions } from '../internal/request.js';
import { path } from '../internal/request.js';
import { APIResource, call } from '../internal/resource.js';
import type { ConversationWithMessages, Feedback, FeedbackParams } from '../types.js';

export class Conversations extends APIResource {
  /** The conversation with its `messages`. */
  retrieve(conversationId: string, options?: RequestOptions): Promise<ConversationWithMessages> {
    return call(this._transport, 'GET', path`/api/v1/conversations/${conversationId}`, {}, options);
  }
  delete(conversationId: string, options?: RequestOptions): Promise<void> {
    return call(this._transport, 'DELETE', path`/api/v1/conversations/${conversationId}`, {}, options);
  }
}

export class Messages extends APIResource {
  /** Rates an answer `up` or `down`, with an optional comment; rating again replaces it. */
  feedback(messageId: string, body: FeedbackParams, options?: RequestOptions): Promise<Feedback> {
    return call(this._transport, 'POST', path`/api/v1/messages/${messageId}/feedback`, { body }, options);
  }
}
