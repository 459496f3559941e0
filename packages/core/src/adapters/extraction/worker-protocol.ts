/**
 * Messages between the isolated extractor and its worker thread. Errors cross the
 * thread boundary as plain data (structured clone drops class identity) and are turned
 * back into AtriumErrors on the caller's side.
 */
import { AtriumError, ERROR_KINDS, isAtriumError, type ErrorKind } from '../../domain/errors.js';
import type { ExtractedDocument, ExtractionInput } from '../../ports/ingestion.js';

/** One document for a pooled worker; the answer carries the same id. */
export interface WorkerRequest {
  id: number;
  input: ExtractionInput;
}

export interface SerializedError {
  kind: ErrorKind;
  code: string;
  message: string;
}

export type WorkerResponse = { id: number } & ({ ok: true; document: ExtractedDocument } | { ok: false; error: SerializedError });

/** Codes the worker reports without a message: the caller words them with its own limits. */
export const WORKER_MEMORY_CODE = 'extraction_memory';
export const WORKER_CRASH_CODE = 'extraction_failed';

export function serializeError(error: unknown): SerializedError {
  if (isAtriumError(error)) return { kind: error.kind, code: error.code, message: error.message };
  // A parser that runs out of room for a string or buffer throws a RangeError instead of
  // tripping the heap limit; it is the same problem for the uploader.
  const outOfRoom =
    error instanceof RangeError && /allocation failed|invalid string length|invalid array length/i.test(error.message);
  return { kind: 'invalid', code: outOfRoom ? WORKER_MEMORY_CODE : WORKER_CRASH_CODE, message: '' };
}

export function deserializeError(error: SerializedError): AtriumError {
  const kind = (ERROR_KINDS as readonly string[]).includes(error.kind) ? error.kind : 'invalid';
  return new AtriumError(kind, error.code, error.message);
}
