import { strToU8, zipSync } from 'fflate';
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
