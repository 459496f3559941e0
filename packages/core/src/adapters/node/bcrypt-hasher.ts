import bcrypt from 'bcrypt';
import type { PasswordHasher } from '../../ports/index.js';

/** bcrypt with a configurable cost (12 in production; tests may lower it for speed). */
export const bcryptHasher = (cost = 12): PasswordHasher => ({
  hash: (password) => bcrypt.hash(password, cost),
  verify: async (password, hash) => {
    try {
      return await bcrypt.compare(password, hash);
    } catch {
      return false;
    }
  },
});
