import type { Reference } from '@atrium/sdk/widget';
import type { WidgetErrorCode } from './internal/errors.js';

export type { WidgetErrorCode } from './internal/errors.js';

/** `atrium-message`: the visitor sent a message, or an answer finished. */
export interface AtriumMessageDetail {
  role: 'user' | 'assistant';
  text: string;
  /** The answer's id; null for the visitor's message (the stream does not name it). */
  messageId: string | null;
  /** Null before the first answer has started one. */
  conversationId: string | null;
  references: readonly Reference[];
}

/** `atrium-error`: what the error banner shows, as a code a page can act on. */
export interface AtriumErrorDetail {
  code: WidgetErrorCode;
  status?: number | undefined;
  message: string;
}

export interface AtriumChatEventMap {
  'atrium-open': CustomEvent<null>;
  'atrium-close': CustomEvent<null>;
  'atrium-message': CustomEvent<AtriumMessageDetail>;
  'atrium-error': CustomEvent<AtriumErrorDetail>;
}

declare global {
  interface HTMLElementEventMap extends AtriumChatEventMap {}
}
