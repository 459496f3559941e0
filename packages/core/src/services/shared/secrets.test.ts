import { describe, expect, it } from 'vitest';
import { checksumOf, randomBase62, sha256Hex, timingSafeEqual } from './secrets.js';

describe('secrets helpers', () => {
  it('randomBase62 returns exactly `length` characters from [0-9A-Za-z]', () => {
    for (const length of [0, 1, 7, 43, 257]) {
      const value = randomBase62(length);
      expect(value).toHaveLength(length);
      expect(value).toMatch(/^[0-9A-Za-z]*$/);
    }
  });

  it('randomBase62 uses the whole alphabet and does not repeat itself', () => {
    const sample = randomBase62(20_000);
    expect(new Set(sample).size).toBe(62);
    expect(randomBase62(32)).not.toBe(randomBase62(32));
  });

  it('sha256Hex matches the FIPS 180-2 test vectors', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('checksumOf is deterministic, base62 and input-sensitive', async () => {
    const a = await checksumOf('hello', 6);
    expect(a).toMatch(/^[0-9A-Za-z]{6}$/);
    expect(await checksumOf('hello', 6)).toBe(a);
    expect(await checksumOf('hellp', 6)).not.toBe(a);
  });

  it('timingSafeEqual compares strings exactly', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('abc', 'abcd')).toBe(false);
    expect(timingSafeEqual('', '')).toBe(true);
  });
});
