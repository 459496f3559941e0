import { checksumOf, randomBase62, timingSafeEqual } from '../shared/secrets.js';

/**
 * API keys look like `atr_sk_<32 random base62><6 checksum>`. The checksum lets us
 * reject typos and garbage without a database lookup, and lets secret scanners
 * recognise real keys.
 */
export const API_KEY_PREFIX = 'atr_sk_';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

export const generateApiKey = async (): Promise<{ key: string; prefix: string }> => {
  const random = randomBase62(RANDOM_LENGTH);
  const key = `${API_KEY_PREFIX}${random}${await checksumOf(random, CHECKSUM_LENGTH)}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6) };
};

export const looksLikeApiKey = (value: string): boolean => value.startsWith(API_KEY_PREFIX);

export const hasValidChecksum = async (key: string): Promise<boolean> => {
  if (!SHAPE.test(key)) return false;
  const body = key.slice(API_KEY_PREFIX.length);
  const random = body.slice(0, RANDOM_LENGTH);
  return timingSafeEqual(body.slice(RANDOM_LENGTH), await checksumOf(random, CHECKSUM_LENGTH));
};
