import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, generateApiKey, hasValidChecksum, looksLikeApiKey } from './api-key-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const replaceAt = (s: string, i: number): string => {
  const next = BASE62[(BASE62.indexOf(s[i]!) + 1) % BASE62.length]!;
  return s.slice(0, i) + next + s.slice(i + 1);
};

describe('API key format', () => {
  it('generates keys with the documented shape, a visible prefix and a valid checksum', async () => {
    const seen = new Set<string>();
    for (let n = 0; n < 50; n++) {
      const { key, prefix } = await generateApiKey();
      expect(key).toMatch(/^atr_sk_[0-9A-Za-z]{38}$/);
      expect(key.startsWith(prefix)).toBe(true);
      expect(prefix).toHaveLength(API_KEY_PREFIX.length + 6);
      expect(looksLikeApiKey(key)).toBe(true);
      expect(await hasValidChecksum(key)).toBe(true);
      seen.add(key);
    }
    expect(seen.size).toBe(50);
  });

  it('fails the checksum when any single character after the prefix changes', async () => {
    const { key } = await generateApiKey();
    for (let i = API_KEY_PREFIX.length; i < key.length; i++) {
      const typo = replaceAt(key, i);
      expect(typo).not.toBe(key);
      expect(await hasValidChecksum(typo), `change at position ${i}`).toBe(false);
    }
  });

  it('rejects garbage, wrong lengths and wrong prefixes', async () => {
    const { key } = await generateApiKey();
    const candidates = [
      '',
      'atr_sk_',
      'garbage',
      key.slice(0, -1),
      `${key}0`,
      key.replace('atr_sk_', 'atr_pk_'),
      key.replace('atr_sk_', 'ATR_SK_'),
      `${key.slice(0, -2)}-_`,
      ` ${key}`,
    ];
    for (const candidate of candidates) expect(await hasValidChecksum(candidate), candidate).toBe(false);
    expect(looksLikeApiKey('eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(false);
  });
});
