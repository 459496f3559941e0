/**
 * ZIP containers (DOCX) are checked before anything inflates them. The central directory
 * at the end of the archive declares every entry's compressed and uncompressed size, so
 * a ZIP bomb can be refused from a few kilobytes of metadata. Because the directory can
 * lie, `verifyInflatedSizes` then streams every entry through the inflater with yauzl's
 * size validation (which stops as soon as an entry produces more bytes than declared)
 * before mammoth inflates the archive itself; the worker's memory limit is the last line.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { corruptFile, encryptedFile, zipBomb } from './extraction-errors.js';

export interface ZipLimits {
  maxEntries: number;
  maxTotalUncompressedBytes: number;
  /** Uncompressed ÷ compressed size, per entry and for the whole archive. */
  maxCompressionRatio: number;
  /** Entries smaller than this may have any ratio: tiny repetitive XML compresses very well and is harmless. */
  ratioCheckMinBytes: number;
}

const MiB = 1024 * 1024;

/**
 * Real DOCX files have tens to a few hundred parts, rarely more than tens of MB once
 * inflated (images are stored almost uncompressed) and XML ratios around 5–30:1.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2000,
  maxTotalUncompressedBytes: 200 * MiB,
  maxCompressionRatio: 100,
  ratioCheckMinBytes: 1 * MiB,
};

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

export const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04] as const;
export const ZIP_EMPTY_ARCHIVE = [0x50, 0x4b, 0x05, 0x06] as const;

export function looksLikeZip(bytes: Uint8Array): boolean {
  const startsWith = (signature: readonly number[]): boolean => signature.every((byte, i) => bytes[i] === byte);
  return startsWith(ZIP_LOCAL_HEADER) || startsWith(ZIP_EMPTY_ARCHIVE);
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function openZip(bytes: Uint8Array): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(toBuffer(bytes), { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (error, zip) =>
      error || !zip ? reject(corruptFile('docx', 'its ZIP structure is damaged')) : resolve(zip),
    );
  });
}

/**
 * Reads the central directory only: nothing is inflated. The entry count comes from the
 * end-of-directory record, so an archive with millions of entries is refused before
 * they are listed.
 */
export async function readZipDirectory(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipEntryInfo[]> {
  const zip = await openZip(bytes);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw zipBomb(`it contains ${zip.entryCount} files (the limit is ${limits.maxEntries})`);
  }
  return new Promise((resolve, reject) => {
    const entries: ZipEntryInfo[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push({
        name: entry.fileName,
        compressedSize: entry.compressedSize,
        uncompressedSize: entry.uncompressedSize,
        encrypted: entry.isEncrypted(),
      });
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', () => reject(corruptFile('docx', 'its ZIP structure is damaged')));
    zip.readEntry();
  });
}

/** Throws `zip_bomb` (or `encrypted_file`) when the declared sizes are beyond what a real document needs. */
export function assertZipDirectoryIsSafe(entries: ZipEntryInfo[], limits: ZipLimits = DEFAULT_ZIP_LIMITS): void {
  if (entries.length > limits.maxEntries) {
    throw zipBomb(`it contains ${entries.length} files (the limit is ${limits.maxEntries})`);
  }
  if (entries.some((entry) => entry.encrypted)) throw encryptedFile('docx');
  let totalUncompressed = 0;
  let totalCompressed = 0;
  for (const entry of entries) {
    totalUncompressed += entry.uncompressedSize;
    totalCompressed += entry.compressedSize;
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (entry.uncompressedSize >= limits.ratioCheckMinBytes && ratio > limits.maxCompressionRatio) {
      throw zipBomb(`one of its parts would expand ${Math.round(ratio)} times (to ${formatMiB(entry.uncompressedSize)})`);
    }
  }
  if (totalUncompressed > limits.maxTotalUncompressedBytes) {
    throw zipBomb(
      `it would expand to ${formatMiB(totalUncompressed)} (the limit is ${formatMiB(limits.maxTotalUncompressedBytes)})`,
    );
  }
  const overallRatio = totalUncompressed / Math.max(totalCompressed, 1);
  if (totalUncompressed >= limits.ratioCheckMinBytes && overallRatio > limits.maxCompressionRatio) {
    throw zipBomb(`it would expand ${Math.round(overallRatio)} times its size`);
  }
}

/**
 * Inflates every entry into a counter (never into memory) so that an archive whose
 * directory under-declares sizes is caught here rather than inside mammoth: yauzl
 * fails the stream as soon as an entry yields more bytes than its declared size.
 */
export async function verifyInflatedSizes(bytes: Uint8Array): Promise<void> {
  const zip = await openZip(bytes);
  await new Promise<void>((resolve, reject) => {
    const fail = (error?: unknown): void => {
      zip.close();
      const overflow = error instanceof Error && error.message.includes('too many bytes');
      reject(
        overflow
          ? zipBomb('a part inflates to more data than the archive declares')
          : corruptFile('docx', 'a part of the archive is damaged'),
      );
    };
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return fail(error);
        const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
        pipeline(stream, discard).then(() => zip.readEntry(), fail);
      });
    });
    zip.on('end', () => resolve());
    zip.on('error', fail);
    zip.readEntry();
  });
}

const formatMiB = (bytes: number): string => `${Math.round(bytes / MiB).toLocaleString('en-US')} MB`;
