import { rateLimited, unauthenticated } from '../../domain/errors.js';
import { normalizeEmail } from '../../domain/identity.js';
import type { CoreContext } from '../context.js';
import { issueSession, type Session } from './session.js';

export interface LoginInput {
  email: string;
  password: string;
  /** The client's address, for brute-force protection. */
  ip: string;
}

// Verified against when the email is unknown, so that failure takes as long as a wrong password.
const dummyHashes = new WeakMap<object, Promise<string>>();
const dummyHashFor = (ctx: CoreContext): Promise<string> => {
  let hash = dummyHashes.get(ctx.hasher);
  if (!hash) {
    hash = ctx.hasher.hash('not-a-real-password');
    dummyHashes.set(ctx.hasher, hash);
  }
  return hash;
};

export const login = async (ctx: CoreContext, input: LoginInput): Promise<Session> => {
  const attempt = { ip: input.ip, email: normalizeEmail(input.email) };
  const wait = await ctx.loginThrottle.retryAfter(attempt);
  if (wait > 0) throw rateLimited(wait);

  const user = await ctx.store.system.findUserByEmail(attempt.email);
  const ok = await ctx.hasher.verify(input.password, user?.passwordHash ?? (await dummyHashFor(ctx)));
  if (!user || !ok) {
    await ctx.loginThrottle.recordFailure(attempt);
    throw unauthenticated('Invalid email or password', 'invalid_credentials');
  }
  await ctx.loginThrottle.recordSuccess(attempt);
  const { passwordHash: _secret, ...publicUser } = user;
  return issueSession(ctx, ctx.store, publicUser);
};
