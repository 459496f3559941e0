import './define.js';

export { AtriumChat, type ChatMode } from './chat.component.js';
export type { AtriumChatEventMap, AtriumErrorDetail, AtriumMessageDetail, WidgetErrorCode } from './events.js';

/** The version of `@atrium/widget` (kept equal to package.json; a test checks it). */
export const VERSION = '0.1.0';
