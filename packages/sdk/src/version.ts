/** The version of `@atrium/sdk` (kept equal to package.json; a test checks it). */
export const VERSION = '0.1.0';
