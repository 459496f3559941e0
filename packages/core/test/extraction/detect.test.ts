import { strToU8, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/adapters/extraction/detect.js';
import { fixtureBytes, upload, utf8 } from './fixtures.js';

describe('detectFormat: from the bytes, not the name', () => {
  it.each([
    ['two-pages.pdf', 'pdf'],
    ['truncated.pdf', 'pdf'], // still starts with %PDF-; extraction reports the damage
    ['report.docx', 'docx'],
    ['empty.docx', 'docx'],
    ['article.html', 'html'],
    ['handbook.md', 'markdown'],
    ['people.csv', 'csv'],
    ['notes.txt', 'text'],
  ] as const)('%s is %s', async (name, format) => {
    await expect(detectFormat(upload(name))).resolves.toBe(format);
  });

  it('ignores a misleading name and declared type', async () => {
    await expect(detectFormat({ bytes: fixtureBytes('two-pages.pdf'), filename: 'notes.txt', declaredType: 'text/plain' })).resolves.toBe('pdf');
    await expect(detectFormat({ bytes: fixtureBytes('report.docx'), filename: 'scan.pdf', declaredType: 'application/pdf' })).resolves.toBe('docx');
  });

  it('refuses a PNG uploaded as .pdf', async () => {
    await expect(detectFormat(upload('image-named.pdf', 'application/pdf'))).resolves.toBeNull();
  });

  it('refuses random bytes uploaded as .txt', async () => {
    await expect(detectFormat(upload('random-bytes.txt', 'text/plain'))).resolves.toBeNull();
  });

  it('refuses the ZIP-bomb DOCX at detection, from its directory alone', async () => {
    await expect(detectFormat(upload('zip-bomb.docx'))).rejects.toMatchObject({ kind: 'invalid', code: 'zip_bomb' });
  });

  it('treats a ZIP without word/document.xml as unsupported (plain archives, spreadsheets)', async () => {
    const archive = zipSync({ 'xl/workbook.xml': strToU8('<workbook/>'), 'readme.txt': strToU8('hello') });
    await expect(detectFormat({ bytes: archive, filename: 'report.docx' })).resolves.toBeNull();
  });

  it('reports a damaged ZIP as corrupt rather than guessing', async () => {
    const archive = fixtureBytes('report.docx');
    await expect(detectFormat({ bytes: archive.subarray(0, 200), filename: 'report.docx' })).rejects.toMatchObject({
      code: 'corrupt_file',
    });
  });
});

describe('detectFormat: text', () => {
  it('accepts UTF-8 with a BOM and UTF-16 with a BOM', async () => {
    const text = 'Grüße aus Köln\n\nZweiter Absatz.';
    const utf8Bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
    const utf16le = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(text, 'utf16le'))]);
    await expect(detectFormat({ bytes: utf8Bom })).resolves.toBe('text');
    await expect(detectFormat({ bytes: utf16le })).resolves.toBe('text');
  });

  it('accepts legacy Windows-1252 text but not bytes full of control characters', async () => {
    await expect(detectFormat({ bytes: new Uint8Array(Buffer.from('Café crème, déjà vu.', 'latin1')) })).resolves.toBe('text');
    const controls = new Uint8Array(200).map((_, i) => (i % 3 === 0 ? 0x01 : 0x41));
    await expect(detectFormat({ bytes: controls })).resolves.toBeNull();
  });

  it('recognises HTML by its markup near the start, and fragments only when declared', async () => {
    await expect(detectFormat({ bytes: utf8('  <!DOCTYPE html><p>hi</p>') })).resolves.toBe('html');
    await expect(detectFormat({ bytes: utf8('<p>Hello</p>') })).resolves.toBe('text');
    await expect(detectFormat({ bytes: utf8('<p>Hello</p>'), declaredType: 'text/html; charset=utf-8' })).resolves.toBe('html');
  });

  it('calls text CSV only when claimed AND consistently delimited', async () => {
    const csv = utf8('a,b\n1,2\n3,4\n');
    await expect(detectFormat({ bytes: csv, filename: 'data.csv' })).resolves.toBe('csv');
    await expect(detectFormat({ bytes: csv, declaredType: 'text/csv' })).resolves.toBe('csv');
    await expect(detectFormat({ bytes: csv })).resolves.toBe('text');
    await expect(detectFormat({ bytes: utf8('just one column\nof words\n'), filename: 'x.csv' })).resolves.toBe('text');
    await expect(detectFormat({ bytes: utf8('a;b;c\n1;2;3\n'), filename: 'semicolons.csv' })).resolves.toBe('csv');
  });

  it('calls text Markdown when claimed or when it has strong Markdown structure', async () => {
    await expect(detectFormat({ bytes: utf8('plain words'), filename: 'readme.md' })).resolves.toBe('markdown');
    await expect(detectFormat({ bytes: utf8('# Title\n\nSee [docs](https://x.y).\n\n## More\n') })).resolves.toBe('markdown');
    await expect(detectFormat({ bytes: utf8('Shopping:\n- milk\n- eggs\n') })).resolves.toBe('text');
  });
});

describe('detectFormat: text is text, whatever its first bytes', () => {
  const prose = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/text-is-text/${name}`, import.meta.url)));
  // Each begins with a magic number: BMP, Windows executable, MP3 (ID3 tag), GIF, ZIP, PDF.
  const names = ['bm.txt', 'mz.txt', 'id3.txt', 'gif8.txt', 'pk.txt', 'pdf.txt'];

  it.each(names)('an uploaded file %s that decodes cleanly as text is text', async (name) => {
    await expect(detectFormat({ bytes: prose(name), filename: name })).resolves.toBe('text');
    await expect(detectFormat({ bytes: prose(name) })).resolves.toBe('text');
  });

  it.each(names)('text sent as text (%s) is never sniffed for binary formats', async (name) => {
    await expect(detectFormat({ bytes: prose(name), declaredType: 'text/plain', knownText: true })).resolves.toBe('text');
  });

  // Real binaries: their headers hold binary integers, so they never decode as text.
  const bmp = new Uint8Array([0x42, 0x4d, 0x3a, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x18, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x13, 0x0b, 0, 0, 0x13, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0]);
  const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x40, ...new Array(40).fill(0)]);
  const mp3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90, 0x64, ...new Array(40).fill(0)]);
  const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b]);

  it.each([
    ['BMP', bmp],
    ['executable', exe],
    ['MP3', mp3],
    ['GIF', gif],
  ] as const)('a real %s is still refused, even named .txt', async (_, bytes) => {
    await expect(detectFormat({ bytes, filename: 'notes.txt', declaredType: 'text/plain' })).resolves.toBeNull();
  });

  it('a real PDF is a PDF even when it is pure ASCII, by its trailer', async () => {
    const ascii = utf8('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\nstartxref\n9\n%%EOF\n');
    await expect(detectFormat({ bytes: ascii, filename: 'doc.pdf' })).resolves.toBe('pdf');
  });
});
