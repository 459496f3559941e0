import { isAtriumError } from '../../domain/errors.js';

const MAX_MESSAGE = 500;

/** What a failed document or job says when the cause is not a domain error. */
const PROCESSING_FAILED =
  'Processing failed because of an internal error; it was retried and can be retried again by uploading the document anew';

/**
 * The message stored on a failed document or job, or sent in a chat's `error` event,
 * which API callers read. Domain errors are written for people; anything else (a driver
 * error may quote the SQL and every parameter, i.e. document text) is replaced by
 * `fallback`, a generic line for the context.
 */
export const publicErrorMessage = (error: unknown, fallback = PROCESSING_FAILED): string => {
  const message = isAtriumError(error) ? error.message : fallback;
  return message.replaceAll('\u0000', '').slice(0, MAX_MESSAGE);
};

/** "50 MB", "1.5 MB", "256 KB": limits in messages, without rounding small ones to 0. */
export const describeBytes = (bytes: number): string => {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
};
