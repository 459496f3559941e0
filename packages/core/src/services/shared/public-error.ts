import { isAtriumError } from '../../domain/errors.js';

const MAX_MESSAGE = 500;

/**
 * The message stored on a failed document or job, which API callers read. Domain
 * errors are written for people; anything else (a driver error may quote the SQL and
 * every parameter, i.e. document text) is replaced by a generic line.
 */
export const publicErrorMessage = (error: unknown): string => {
  const message = isAtriumError(error)
    ? error.message
    : 'Processing failed because of an internal error; it was retried and can be retried again by uploading the document anew';
  return message.replaceAll('\u0000', '').slice(0, MAX_MESSAGE);
};

/** "50 MB", "1.5 MB", "256 KB": limits in messages, without rounding small ones to 0. */
export const describeBytes = (bytes: number): string => {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
};
