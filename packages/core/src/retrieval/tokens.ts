/**
 * Token counting with OpenAI's cl100k_base encoding. Chunk sizes, context budgets and
 * embedding limits are all expressed in these tokens, so everything in core counts
 * through this one module.
 *
 * `gpt-tokenizer` ships the ranks inside its npm package, so nothing is fetched at run
 * time and air-gapped installs work. It is chosen over js-tiktoken for speed: identical
 * tokens, a near-instant load instead of ~1 s, and 10-30x faster on long runs without
 * spaces (CJK text, base64), where js-tiktoken's merge loop takes seconds per paragraph.
 * The encoding loads once per process, when this module is first imported (~0.3 s).
 */
import { decode as decodeTokens, encode as encodeText } from 'gpt-tokenizer/encoding/cl100k_base';

// Text such as `<|endoftext|>` in a user's document is just text: never treat it as a
// special token (the tokenizer would otherwise throw on it).
const AS_TEXT = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

export const encode = (text: string): number[] => encodeText(text, AS_TEXT);

export const decode = (tokens: number[]): string => decodeTokens(tokens);

export const countTokens = (text: string): number => (text === '' ? 0 : encode(text).length);

/**
 * The length (in UTF-16 code units) of the longest prefix of `text` that ends on a token
 * boundary, holds at most `maxTokens` tokens and does not cut a character in half (one
 * emoji or CJK character can be several tokens; a prefix ending inside one would decode
 * to U+FFFD). Returns at least one whole code point when `text` is not empty, so callers
 * cutting text into pieces always make progress.
 */
export const tokenPrefixLength = (text: string, maxTokens: number): number => {
  if (text === '') return 0;
  const limit = Math.max(1, Math.floor(maxTokens));
  // Encode a window rather than the whole text: this is called repeatedly while cutting
  // very long text, and encoding all of it each time would be quadratic.
  let windowChars = limit * 8;
  let tokens = encode(text.slice(0, windowChars));
  while (tokens.length <= limit && windowChars < text.length) {
    windowChars *= 2;
    tokens = encode(text.slice(0, windowChars));
  }
  if (tokens.length <= limit) return text.length;

  for (let k = limit; k > 0; k--) {
    const prefix = decode(tokens.slice(0, k));
    // A decoded prefix matches the text only when it ends on a character boundary; the
    // re-count guards against BPE merging the prefix differently on its own.
    if (prefix.length > 0 && text.startsWith(prefix) && countTokens(prefix) <= limit) return prefix.length;
  }
  const first = text.codePointAt(0) ?? 0;
  return first > 0xffff ? 2 : 1;
};

/**
 * The mirror of `tokenPrefixLength`: the length of the longest suffix of `text` that
 * starts on a token boundary, holds at most `maxTokens` tokens and does not start in the
 * middle of a character. Zero when not even one character fits.
 */
export const tokenSuffixLength = (text: string, maxTokens: number): number => {
  if (text === '' || maxTokens < 1) return 0;
  const limit = Math.floor(maxTokens);
  let windowChars = limit * 8;
  let tokens = encode(text.slice(-windowChars));
  while (tokens.length <= limit && windowChars < text.length) {
    windowChars *= 2;
    tokens = encode(text.slice(-windowChars));
  }
  if (tokens.length <= limit) return text.length;

  for (let k = limit; k > 0; k--) {
    const suffix = decode(tokens.slice(-k));
    if (suffix.length > 0 && text.endsWith(suffix) && countTokens(suffix) <= limit) return suffix.length;
  }
  return 0;
};
