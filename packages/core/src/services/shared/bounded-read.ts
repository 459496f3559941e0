/** A byte stream's reader, the web's or undici's (their TypeScript types differ, not their shape). */
export interface ByteReader {
  read(): Promise<{ done: true; value?: unknown } | { done: false; value: Uint8Array }>;
  cancel(): Promise<void>;
}

/**
 * Reads a byte stream up to `maxBytes`: past it, stops reading (the rest is never pulled)
 * and answers null, or with `truncate` what came so far. For bodies from sources we do not
 * trust: fetched pages, and the sitemaps they gzip.
 */
export const readCapped = async (reader: ByteReader, maxBytes: number, truncate = false): Promise<Uint8Array | null> => {
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => {});
      if (!truncate) return null;
      parts.push(value.subarray(0, maxBytes - size));
      size = maxBytes;
      break;
    }
    parts.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
};
