/** Reads the committed fixtures (regenerate them with scripts/build-fixtures.ts). */
import { readFileSync } from 'node:fs';
import type { ExtractionInput } from '../../src/ports/ingestion.js';

export const FIXTURE_NAMES = [
  'two-pages.pdf',
  'truncated.pdf',
  'report.docx',
  'empty.docx',
  'zip-bomb.docx',
  'image-named.pdf',
  'random-bytes.txt',
  'article.html',
  'handbook.md',
  'people.csv',
  'notes.txt',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function fixtureBytes(name: FixtureName): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
}

/** An upload of the fixture under its own name, optionally with the client's declared type. */
export function upload(name: FixtureName, declaredType?: string): ExtractionInput {
  return { bytes: fixtureBytes(name), filename: name, declaredType };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
