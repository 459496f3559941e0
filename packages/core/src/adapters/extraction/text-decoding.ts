/**
 * Decides whether bytes are text, and decodes them. A file is text when it decodes
 * cleanly (UTF-8, or UTF-16 announced by a byte-order mark, or — for older exports from
 * spreadsheets and editors — Windows-1252) AND contains almost no control characters.
 * Random or compressed bytes fail the second test even when they happen to decode.
 */

/** Above this share of control characters the "text" is binary data in disguise. */
const MAX_CONTROL_CHARACTER_RATIO = 0.01;

/**
 * The decoded text, or null when the bytes are not text. With `sampleBytes`, only that
 * much of the start is decoded (a multi-byte character cut at the end is not an error):
 * enough to decide cheaply on the caller's thread, as at upload time.
 */
export function decodeText(bytes: Uint8Array, options: { sampleBytes?: number } = {}): string | null {
  const partial = options.sampleBytes !== undefined && bytes.byteLength > options.sampleBytes;
  const input = partial ? bytes.subarray(0, options.sampleBytes) : bytes;
  const text = decodeWithBom(input, partial) ?? decodeStrict('utf-8', input, partial) ?? decodeLegacy(input);
  if (text === null) return null;
  return controlCharacterRatio(text) <= MAX_CONTROL_CHARACTER_RATIO ? text : null;
}

/** UTF-8 or UTF-16 byte-order mark. (FF FE also looks like an MPEG audio frame to magic-number sniffers.) */
export function hasByteOrderMark(bytes: Uint8Array): boolean {
  const [b0, b1, b2] = bytes;
  return (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) || (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff);
}

function decodeWithBom(bytes: Uint8Array, partial: boolean): string | null {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return decodeStrict('utf-8', bytes.subarray(3), partial);
  if (b0 === 0xff && b1 === 0xfe) return decodeStrict('utf-16le', bytes.subarray(2), partial);
  if (b0 === 0xfe && b1 === 0xff) return decodeStrict('utf-16be', bytes.subarray(2), partial);
  return null;
}

function decodeStrict(encoding: string, bytes: Uint8Array, partial = false): string | null {
  try {
    // ignoreBOM: the BOM was already handled; fatal: invalid sequences mean "not this encoding";
    // stream: a sample may end inside a character, which is not invalid.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes, { stream: partial });
  } catch {
    return null;
  }
}

/**
 * Windows-1252 decodes any byte, so it is only tried for NUL-free input and the control
 * character test does the real work afterwards.
 */
function decodeLegacy(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  return decodeStrict('windows-1252', bytes);
}

function controlCharacterRatio(text: string): number {
  if (text.length === 0) return 0;
  let control = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // Tab, line feed, form feed and carriage return are ordinary in text files.
    const isC0 = code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
    const isDelOrC1 = code >= 0x7f && code <= 0x9f;
    if (isC0 || isDelOrC1 || code === 0xfffd) control += 1;
  }
  return control / text.length;
}
