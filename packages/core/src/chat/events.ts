import type { ChatTimings, FinishReason, Reference, TokenUsage } from '../domain/conversations.js';

/**
 * What a chat streams, in order (API.md §Streaming): `start`, `references`, `delta`s,
 * then `done` or `error`. Nothing follows `done` or `error`.
 */
export type ChatEvent =
  | { type: 'start'; conversationId: string; messageId: string }
  | { type: 'references'; references: Reference[] }
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      messageId: string;
      conversationId: string;
      finishReason: FinishReason;
      usage: TokenUsage;
      timings: ChatTimings;
      model: string;
    }
  | { type: 'error'; code: string; message: string; retryAfterSeconds?: number };

export type ChatEventType = ChatEvent['type'];
