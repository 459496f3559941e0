/** The version of `@atrium/worker` (kept equal to package.json; a test checks it). */
export const VERSION = '0.1.0';
