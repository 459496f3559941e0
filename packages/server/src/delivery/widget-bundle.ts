import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The widget's script-tag bundle, read once at start-up, with what its caching needs. */
export interface WidgetBundle {
  /** Where it was read from. */
  path: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** The first 16 hex digits of the bytes' SHA-256: the versioned URL's name and the ETag. */
  version: string;
  /** A strong ETag: `"<version>"`. */
  etag: string;
}

/** Why there is no bundle to serve, in words a log line and a problem can carry. */
export interface MissingWidgetBundle {
  missing: string;
}

/** `@atrium/widget`'s built script-tag bundle, as that package exports it. */
export const resolveWidgetBundlePath = (): string => createRequire(import.meta.url).resolve('@atrium/widget/widget.js');

/**
 * Reads the bundle at `path` (by default `@atrium/widget/widget.js`) and hashes it. A bundle
 * that is not there (the widget package not built, or not installed) is not an error: the
 * server starts, says so once, and answers `/widget.js` with a 503 problem.
 */
export const loadWidgetBundle = (path?: string): WidgetBundle | MissingWidgetBundle => {
  let file: string;
  try {
    file = path ?? resolveWidgetBundlePath();
  } catch {
    return { missing: '@atrium/widget/widget.js cannot be resolved: build the widget (`pnpm build`) or install @atrium/widget' };
  }
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch {
    return { missing: `the widget bundle ${file} is not there: build the widget (\`pnpm build\`)` };
  }
  const version = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { path: file, bytes, version, etag: `"${version}"` };
};

export const isWidgetBundle = (bundle: WidgetBundle | MissingWidgetBundle): bundle is WidgetBundle => 'bytes' in bundle;
