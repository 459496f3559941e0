import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, ChatStreamError } from '@atrium/sdk/widget';

/**
 * What went wrong, in the words the UI (and `data-error-code`) uses. `conversation_limit`
 * is an anonymous conversation that used its token budget: a new conversation works.
 */
export type WidgetErrorCode = 'rate_limited' | 'offline' | 'origin_not_allowed' | 'server_error' | 'identity_required' | 'conversation_limit';

export interface WidgetError {
  code: WidgetErrorCode;
  /** The HTTP status, when a response arrived. */
  status?: number;
  message: string;
}

/**
 * Tells whether the server is reachable at all. A browser reports a CORS refusal (the
 * server's 403 to a site not on the allowlist carries no CORS headers) exactly like a
 * dropped connection; a `no-cors` request still succeeds (opaquely) when the server
 * answered, so it separates "not allowed here" from "offline".
 */
export type Reachability = () => Promise<boolean>;

export const reachableByNoCors =
  (url: string): Reachability =>
  () =>
    fetch(url, { mode: 'no-cors', cache: 'no-store' }).then(
      () => true,
      () => false,
    );

export const isAbort = (error: unknown): boolean => error instanceof APIUserAbortError;

/**
 * `beforeResponse`: the failure came before any response was read, so a connection error
 * may be a CORS refusal. Once a stream has begun, a reachable server that dropped it failed.
 */
export const toWidgetError = async (error: unknown, reachable: Reachability, beforeResponse: boolean): Promise<WidgetError> => {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof APIConnectionError) {
    const online = globalThis.navigator?.onLine !== false && (await reachable());
    if (!online) return { code: 'offline', message };
    const refused = beforeResponse && !(error instanceof APIConnectionTimeoutError);
    return { code: refused ? 'origin_not_allowed' : 'server_error', message };
  }
  if (error instanceof ChatStreamError) return { code: error.code === 'rate_limited' ? 'rate_limited' : 'server_error', message };
  if (error instanceof APIError && error.status !== undefined) {
    const { status, code } = error;
    if (status === 429) return { code: 'rate_limited', status, message };
    if (status === 401 && (code === 'identity_required' || code === 'invalid_identity_token')) return { code: 'identity_required', status, message };
    if (status === 403) return { code: code === 'conversation_limit_reached' ? 'conversation_limit' : 'origin_not_allowed', status, message };
    return { code: 'server_error', status, message };
  }
  return { code: 'server_error', message };
};
