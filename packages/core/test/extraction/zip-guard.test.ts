import { strToU8, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createInProcessExtractor } from '../../src/adapters/extraction/index.js';
import {
  assertZipDirectoryIsSafe,
  DEFAULT_ZIP_LIMITS,
  readZipDirectory,
  verifyInflatedSizes,
} from '../../src/adapters/extraction/zip-guard.js';
import { fixtureBytes, upload } from './fixtures.js';

const MiB = 1024 * 1024;

describe('zip guard', () => {
  it('rejects the 1 GiB ZIP-bomb DOCX from its directory, quickly and without inflating it', async () => {
    const bytes = fixtureBytes('zip-bomb.docx');
    expect(bytes.byteLength).toBeLessThan(2 * MiB);
    const heapBefore = process.memoryUsage().heapUsed;
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();

    const entries = await readZipDirectory(bytes);
    const bomb = entries.find((entry) => entry.name === 'word/document.xml');
    expect(bomb?.uncompressedSize).toBeGreaterThan(1000 * MiB); // what inflating would have cost
    expect(() => assertZipDirectoryIsSafe(entries)).toThrow(expect.objectContaining({ code: 'zip_bomb' }));
    await expect(createInProcessExtractor().extract(upload('zip-bomb.docx'))).rejects.toMatchObject({
      kind: 'invalid',
      code: 'zip_bomb',
      message: expect.stringMatching(/ZIP bomb/),
    });

    // Inflating even a fraction of 1 GiB would take seconds and hundreds of MB.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * MiB);
  });

  it('lets a real DOCX through', async () => {
    const entries = await readZipDirectory(fixtureBytes('report.docx'));
    expect(entries.map((entry) => entry.name)).toContain('word/document.xml');
    expect(() => assertZipDirectoryIsSafe(entries)).not.toThrow();
    await expect(verifyInflatedSizes(fixtureBytes('report.docx'))).resolves.toBeUndefined();
  });

  it('refuses archives with too many entries before listing them', async () => {
    const files: Zippable = { 'word/document.xml': strToU8('<w:document/>') };
    for (let i = 0; i <= DEFAULT_ZIP_LIMITS.maxEntries; i += 1) files[`word/media/${i}.txt`] = strToU8('x');
    await expect(readZipDirectory(zipSync(files, { level: 0 }))).rejects.toMatchObject({ code: 'zip_bomb' });
  });

  it('refuses a large total even when each entry compresses modestly', () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({
      name: `word/media/image${i}.bin`,
      compressedSize: 50 * MiB,
      uncompressedSize: 60 * MiB,
      encrypted: false,
    }));
    expect(() => assertZipDirectoryIsSafe(entries)).toThrow(expect.objectContaining({ code: 'zip_bomb' }));
  });

  it('refuses password-protected archives with a clear reason', () => {
    const entries = [{ name: 'word/document.xml', compressedSize: 10, uncompressedSize: 20, encrypted: true }];
    expect(() => assertZipDirectoryIsSafe(entries)).toThrow(expect.objectContaining({ code: 'encrypted_file' }));
  });

  it('catches a directory that under-declares an entry, while inflating into a counter', async () => {
    const content = strToU8('<w:document>' + ' '.repeat(5 * MiB) + '</w:document>');
    const archive = zipSync({ 'word/document.xml': content }, { level: 9 });
    const lying = declareUncompressedSize(archive, 'word/document.xml', 1024);

    const entries = await readZipDirectory(lying);
    expect(entries[0]?.uncompressedSize).toBe(1024);
    expect(() => assertZipDirectoryIsSafe(entries)).not.toThrow(); // the lie passes the directory checks...
    await expect(verifyInflatedSizes(lying)).rejects.toMatchObject({ code: 'zip_bomb' }); // ...but not inflation
  });
});

/** Rewrites an entry's uncompressed size in both its local header and the central directory. */
function declareUncompressedSize(archive: Uint8Array, name: string, size: number): Uint8Array {
  const patched = archive.slice();
  const view = new DataView(patched.buffer);
  const nameBytes = strToU8(name);
  const nameAt = (offset: number): boolean => nameBytes.every((byte, i) => patched[offset + i] === byte);
  for (let offset = 0; offset < patched.length - 4; offset += 1) {
    const signature = view.getUint32(offset, true);
    if (signature === 0x04034b50 && nameAt(offset + 30)) view.setUint32(offset + 22, size, true);
    if (signature === 0x02014b50 && nameAt(offset + 46)) view.setUint32(offset + 24, size, true);
  }
  return patched;
}
