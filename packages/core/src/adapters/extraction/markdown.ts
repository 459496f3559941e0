/**
 * Markdown → blocks, through marked's lexer (a maintained CommonMark/GFM tokenizer).
 * HTML and DOCX also end here after conversion to Markdown, so this is where the
 * structure the chunker relies on is decided: headings with their level, paragraphs,
 * lists, tables as pipe rows (the header row kept once, at the top), code blocks.
 * Inline markup is reduced to its text: `**bold**` and `[label](url)` are noise for
 * retrieval, the words are what matter. HTML comments and tags are dropped.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import type { ExtractedBlock, ExtractedDocument } from '../../ports/ingestion.js';

export interface MarkdownResult {
  title?: string;
  blocks: ExtractedBlock[];
}

export function markdownToBlocks(markdown: string): MarkdownResult {
  const tokens = new Lexer({ gfm: true }).lex(markdown.replace(/\r\n?/g, '\n'));
  const blocks: ExtractedBlock[] = [];
  collectBlocks(tokens, blocks);
  const title = blocks.find((block) => block.kind === 'heading' && block.level === 1)?.text;
  return title ? { title, blocks } : { blocks };
}

export function extractMarkdown(text: string): ExtractedDocument {
  return { format: 'markdown', ...markdownToBlocks(text) };
}

function collectBlocks(tokens: Token[], blocks: ExtractedBlock[]): void {
  const push = (block: ExtractedBlock): void => {
    if (block.text.trim() !== '') blocks.push({ ...block, text: block.text.trim() });
  };
  for (const token of tokens) {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading;
        push({ kind: 'heading', level: heading.depth, text: inlineText(heading.tokens) });
        break;
      }
      case 'paragraph':
      case 'text':
        push({ kind: 'paragraph', text: textOf(token) });
        break;
      case 'list':
        push({ kind: 'list', text: listText(token as Tokens.List, 0) });
        break;
      case 'table':
        push({ kind: 'table', text: tableText(token as Tokens.Table) });
        break;
      case 'code':
        push({ kind: 'code', text: (token as Tokens.Code).text });
        break;
      case 'blockquote':
        collectBlocks((token as Tokens.Blockquote).tokens, blocks);
        break;
      case 'html':
        // Block-level HTML: comments vanish, any text between tags survives.
        push({ kind: 'paragraph', text: stripHtml((token as Tokens.HTML).text) });
        break;
      default:
        // space, hr, def: no content of their own.
        break;
    }
  }
}

function listText(list: Tokens.List, depth: number): string {
  const start = typeof list.start === 'number' ? list.start : 1;
  const indent = '  '.repeat(depth);
  return list.items
    .map((item, i) => {
      const marker = list.ordered ? `${start + i}.` : '-';
      const checkbox = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
      const own = item.tokens.filter((t) => t.type !== 'list');
      const nested = item.tokens.filter((t): t is Tokens.List => t.type === 'list');
      const text = own.map((t) => textOf(t)).join(' ');
      const line = `${indent}${marker} ${checkbox}${collapse(text)}`;
      return [line, ...nested.map((child) => listText(child, depth + 1))].join('\n');
    })
    .join('\n');
}

function tableText(table: Tokens.Table): string {
  // Pipes inside a cell stay escaped so a row still reads as the right number of cells.
  const cellText = (cell: Tokens.TableCell): string => collapse(inlineText(cell.tokens)).replace(/\|/g, '\\|');
  const row = (cells: Tokens.TableCell[]): string => `| ${cells.map(cellText).join(' | ')} |`;
  return [row(table.header), ...table.rows.map(row)].join('\n');
}

/** The visible text of inline tokens: markup dropped, link labels and image alt text kept. */
function inlineText(tokens: Token[]): string {
  let out = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'br':
        out += '\n';
        break;
      case 'html':
        out += stripHtml(token.text ?? '');
        break;
      case 'checkbox':
        break;
      case 'codespan':
      case 'escape':
        out += decodeEntities(token.text ?? '');
        break;
      default:
        out += textOf(token);
    }
  }
  return out;
}

/** A token's text: from its inline children when it has any, else its own literal text. */
function textOf(token: Token): string {
  const { tokens, text } = token as Tokens.Generic;
  return Array.isArray(tokens) && tokens.length > 0 ? inlineText(tokens) : decodeEntities(typeof text === 'string' ? text : '');
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

function stripHtml(html: string): string {
  return decodeEntities(html.replace(/<!--[\s\S]*?(-->|$)/g, '').replace(/<[^>]*>/g, ' ')).replace(/[ \t]+/g, ' ');
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? match;
  });
}
