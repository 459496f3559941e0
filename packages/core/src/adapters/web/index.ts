export {
  safeWebFetcher,
  systemResolve,
  parseRetryAfter,
  DEFAULT_FETCH_LIMITS,
  type SafeWebFetcher,
  type SafeWebFetcherOptions,
  type Resolve,
  type ResolvedAddress,
} from './safe-web-fetcher.js';
export { parseAllowList, judgeAddress, AllowListError, EMPTY_ALLOW_LIST, type AllowList, type AddressVerdict } from './address-policy.js';
export { defaultUserAgent, isValidUserAgent } from './user-agent.js';
