export { createAtrium, AUTH_CACHE_DEFAULTS, remoteConfigured, type AtriumInstance, type CreateAtriumOptions } from './create-atrium.js';
export { memoryCache, type MemoryCacheOptions } from './memory-cache.js';
export { bcryptHasher } from './bcrypt-hasher.js';
export { joseAccessTokens, type JoseAccessTokensOptions } from './jose-access-tokens.js';
export { loginThrottle, type LoginThrottleOptions } from './login-throttle.js';
export { redisLimiters, type LimiterOptions, type RedisLimiters } from './redis-limiters.js';
export { widgetRateLimiter } from './widget-rate-limiter.js';
export { uuidV7Ids, systemClock } from './ids.js';
export { loadConfig, ConfigError, type Config, type Env } from './config.js';
