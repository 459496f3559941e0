import './define.js';

export { AtriumChat } from './chat.component.js';

/** The version of `@atrium/widget` (kept equal to package.json; a test checks it). */
export const VERSION = '0.1.0';
