/**
 * CSV: every data row becomes a 'record' block that repeats the column headers
 * ("Name: Ada\nCity: London"), so each row stays understandable on its own once the
 * document is chunked and retrieved out of context.
 */
import { parse } from 'csv-parse/sync';
import type { ExtractedBlock, ExtractedDocument } from '../../ports/ingestion.js';
import { tooManyRows } from './extraction-errors.js';

/** Beyond this a spreadsheet export is data for a database, not knowledge for an assistant. */
export const MAX_CSV_ROWS = 200_000;

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter that occurs most often on the first line (header rows rarely contain quoted delimiters). */
export function guessDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of CANDIDATE_DELIMITERS) {
    const count = firstLine.split(delimiter).length - 1;
    if (count > bestCount) [best, bestCount] = [delimiter, count];
  }
  return best;
}

/** True when the first rows parse with one consistent column count of at least 2. */
export function looksLikeCsv(text: string): boolean {
  try {
    const rows: string[][] = parse(text, {
      delimiter: guessDelimiter(text),
      bom: true,
      skip_empty_lines: true,
      relax_quotes: false,
      to_line: 50,
    });
    const width = rows[0]?.length ?? 0;
    return width >= 2 && rows.every((row) => row.length === width);
  } catch {
    return false;
  }
}

export function extractCsv(text: string): ExtractedDocument {
  const rows: string[][] = parse(text, {
    delimiter: guessDelimiter(text),
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    // Stop parsing right after the limit instead of materialising a huge file first.
    to_line: MAX_CSV_ROWS + 2,
  });
  if (rows.length > MAX_CSV_ROWS + 1) throw tooManyRows(MAX_CSV_ROWS);
  const [header = [], ...records] = rows;
  const columns = header.map((name, i) => name.trim() || `Column ${i + 1}`);
  const blocks: ExtractedBlock[] = [];
  for (const record of records) {
    const lines = record
      .map((value, i) => [columns[i] ?? `Column ${i + 1}`, value.trim()] as const)
      .filter(([, value]) => value !== '')
      .map(([column, value]) => `${column}: ${value}`);
    if (lines.length > 0) blocks.push({ kind: 'record', text: lines.join('\n') });
  }
  return { format: 'csv', blocks };
}
