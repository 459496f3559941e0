export { Atrium, type ClientOptions } from './client.js';
export { VERSION } from './version.js';
export type { RequestOptions } from './internal/request.js';
export {
  AtriumError,
  APIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  ChatStreamError,
  DocumentFailedError,
  DocumentWaitTimeoutError,
  type FieldError,
} from './core/errors.js';
export { Page, PagePromise, type PageBody } from './core/pagination.js';
export { ChatStream } from './core/streaming.js';
export { toFile, type ToFileInput, type Uploadable } from './core/uploads.js';
export type { DocumentCreateParams, WaitOptions } from './resources/documents.js';
export type * from './types.js';
export type * from './pending-types.js';
