/// <reference types="node" />
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rule behind the Markdown rendering: no widget code turns a string into markup.
// Lit's own templates are static; model text only ever reaches the DOM as text nodes.
const HTML_SINKS = /\b(innerHTML|outerHTML|insertAdjacentHTML|createContextualFragment|unsafeHTML|unsafeSVG|document\.write)\b/;

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

describe('widget sources', () => {
  const files = sources(new URL('.', import.meta.url).pathname);

  it('are found', () => {
    expect(files.some((f) => f.endsWith('markdown.ts'))).toBe(true);
  });

  it.each(files)('%s writes no HTML strings into the DOM', (file) => {
    expect(readFileSync(file, 'utf8')).not.toMatch(HTML_SINKS);
  });
});
