/**
 * The production DocumentExtractor: every extraction runs in its own worker thread with
 * a V8 heap limit and a wall-clock timeout, so a PDF or ZIP bomb, a pathological HTML
 * page or a parser bug fails that one document with a clear error while the server's
 * event loop keeps serving requests. Detection is cheap and bounded (magic numbers, a
 * ZIP directory, a text decode) and runs in-process so uploads get a 415 immediately.
 *
 * Limits of the isolation: V8's heap limit does not cover ArrayBuffer memory, which is
 * why ZIPs are checked up front (zip-guard.ts) instead of relying on the heap limit.
 */
import { Worker } from 'node:worker_threads';
import type { DocumentExtractor, ExtractedDocument, ExtractionInput, ExtractionLimits } from '../../ports/ingestion.js';
import { detectFormat } from './detect.js';
import { extractionFailed, extractionMemory, extractionTimeout } from './extraction-errors.js';
import {
  deserializeError,
  WORKER_CRASH_CODE,
  WORKER_MEMORY_CODE,
  type WorkerRequest,
  type WorkerResponse,
} from './worker-protocol.js';

export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = {
  /** Generous for a few-hundred-page PDF on a slow machine; a stuck parser still ends. */
  timeoutMs: 60_000,
  /** Enough heap for large real documents; pdf.js and mammoth hold whole files as JS objects. */
  maxMemoryMb: 512,
};

export function createIsolatedExtractor(limits: Partial<ExtractionLimits> = {}): DocumentExtractor {
  const resolved: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...limits };
  return {
    detect: detectFormat,
    extract: (input) => extractInWorker(input, resolved),
  };
}

/**
 * Runs `workerEntry` (the extractor worker unless a test substitutes a misbehaving one)
 * on `input` under `limits`.
 */
export function extractInWorker(
  input: ExtractionInput,
  limits: ExtractionLimits,
  workerEntry: URL = defaultWorkerEntry(),
): Promise<ExtractedDocument> {
  return new Promise((resolve, reject) => {
    const request: WorkerRequest = { input: { bytes: input.bytes, declaredType: input.declaredType, filename: input.filename } };
    const worker = startWorker(workerEntry, request, limits);
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => settle(() => reject(extractionTimeout(limits.timeoutMs))), limits.timeoutMs);

    worker.once('message', (response: WorkerResponse) =>
      settle(() => {
        if (response.ok) return resolve(response.document);
        if (response.error.code === WORKER_MEMORY_CODE) return reject(extractionMemory(limits.maxMemoryMb));
        if (response.error.code === WORKER_CRASH_CODE) return reject(extractionFailed());
        reject(deserializeError(response.error));
      }),
    );
    worker.once('error', (error: Error & { code?: string }) =>
      settle(() =>
        reject(
          withCause(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? extractionMemory(limits.maxMemoryMb) : extractionFailed(), error),
        ),
      ),
    );
    // Exiting without a message or an error event: killed from outside, or process.exit() in a dependency.
    worker.once('exit', () => settle(() => reject(extractionFailed())));
  });
}

/** From sources (tests, `tsx`) the worker is TypeScript; from the built package it is dist/extractor-worker.js. */
function defaultWorkerEntry(): URL {
  const runningFromSource = import.meta.url.endsWith('.ts');
  return new URL(runningFromSource ? './extractor-worker.ts' : './extractor-worker.js', import.meta.url);
}

function startWorker(entry: URL, request: WorkerRequest, limits: ExtractionLimits): Worker {
  const options = {
    resourceLimits: {
      maxOldGenerationSizeMb: limits.maxMemoryMb,
      // The young generation is part of the budget too; an eighth, bounded, is V8's usual proportion.
      maxYoungGenerationSizeMb: Math.min(64, Math.max(4, Math.floor(limits.maxMemoryMb / 8))),
    },
  };
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), {
      ...options,
      workerData: { ...request, tsEntry: entry.href },
    });
  }
  return new Worker(entry, { ...options, workerData: request });
}

function withCause<T extends Error>(error: T, cause: unknown): T {
  // Kept for logs and debugging; the message stays the one written for the uploader.
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true });
  return error;
}
