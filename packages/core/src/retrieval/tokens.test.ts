import { describe, expect, it } from 'vitest';
import { countTokens, decode, encode, tokenPrefixLength, tokenSuffixLength } from './tokens.js';

describe('tokens (cl100k_base)', () => {
  it('counts tokens like OpenAI does', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(encode('hello world')).toEqual([15339, 1917]);
  });

  it('round-trips any text, including emoji and CJK', () => {
    for (const text of ['Grüße, Zoë!', '日本語のテキスト', 'family: 👨‍👩‍👧‍👦 done', 'tabs\tand\nnewlines']) {
      expect(decode(encode(text))).toBe(text);
    }
  });

  it('treats special-token text in documents as plain text', () => {
    expect(() => countTokens('a <|endoftext|> b')).not.toThrow();
    expect(decode(encode('<|endoftext|>'))).toBe('<|endoftext|>');
    expect(countTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('cuts prefixes on token and character boundaries only', () => {
    const text = '🙂'.repeat(50) + ' 漢字かな交じり文 '.repeat(20);
    let pos = 0;
    while (pos < text.length) {
      const length = tokenPrefixLength(text.slice(pos), 7);
      const piece = text.slice(pos, pos + length);
      expect(length).toBeGreaterThan(0);
      expect(countTokens(piece)).toBeLessThanOrEqual(7);
      expect(piece).not.toContain('\uFFFD');
      // No lone surrogate at either end.
      expect(piece.isWellFormed()).toBe(true);
      pos += length;
    }
  });

  it('returns the whole text when it fits, and progresses even with a limit below one character', () => {
    expect(tokenPrefixLength('short', 100)).toBe(5);
    expect(tokenPrefixLength('🙂🙂', 1)).toBe(2); // one emoji is 2-3 tokens: still one whole code point
  });

  it('cuts suffixes on token and character boundaries', () => {
    const text = 'The end of the story is near. 🙂🙂🙂';
    const length = tokenSuffixLength(text, 5);
    const suffix = text.slice(text.length - length);
    expect(countTokens(suffix)).toBeLessThanOrEqual(5);
    expect(suffix.isWellFormed()).toBe(true);
    expect(tokenSuffixLength(text, 1000)).toBe(text.length);
    expect(tokenSuffixLength('', 5)).toBe(0);
  });
});
