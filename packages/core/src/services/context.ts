import type { AccessTokenSigner, Clock, IdGenerator, LoginThrottle, PasswordHasher, Store } from '../ports/index.js';

/** Everything a use case may touch. Use cases are plain functions `(ctx, ...input)`. */
export interface CoreContext {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  hasher: PasswordHasher;
  accessTokens: AccessTokenSigner;
  loginThrottle: LoginThrottle;
  settings: CoreSettings;
}

export interface CoreSettings {
  refreshTokenTtlSeconds: number;
}

export const DEFAULT_SETTINGS: CoreSettings = {
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
};
