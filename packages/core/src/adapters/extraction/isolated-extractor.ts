/**
 * The production DocumentExtractor: extraction runs in worker threads with a V8 heap
 * limit and a wall-clock timeout, so a PDF or ZIP bomb, a pathological HTML page or a
 * parser bug fails that one document with a clear error while the server's event loop
 * keeps serving requests. Detection is cheap and bounded (magic numbers, a ZIP
 * directory, a text decode) and runs in-process so uploads get a 415 immediately.
 *
 * The threads are pooled: starting one cost 87 ms of CPU per document from the built
 * package and 330 ms from sources, more than parsing most documents (bench/RESULTS.md,
 * ingestion). A thread serves one document at a time and at most
 * `maxDocumentsPerWorker`; one that times out, runs out of memory, crashes or exits is
 * replaced, so a poisoned parser state does not outlive the file that caused it.
 *
 * Limits of the isolation: V8's heap limit does not cover ArrayBuffer memory, which is
 * why ZIPs are checked up front (zip-guard.ts) instead of relying on the heap limit.
 */
import { availableParallelism } from 'node:os';
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

export interface ExtractorPoolOptions {
  /** Threads extracting at once; more documents wait their turn (default: the CPUs, at most 4). */
  size: number;
  /** Documents a thread extracts before it is replaced (default 100). */
  maxDocumentsPerWorker: number;
  /** The worker's entry (tests substitute misbehaving ones). */
  workerEntry: URL;
  /** Node flags for the threads (default: the process's own). */
  execArgv: string[];
}

export interface ExtractorPool {
  extract(input: ExtractionInput): Promise<ExtractedDocument>;
  /** Threads started so far (each replacement counts). */
  readonly started: number;
  /** Ends every thread; extractions under way fail. */
  close(): Promise<void>;
}

export interface IsolatedExtractor extends DocumentExtractor {
  close(): Promise<void>;
}

export function createIsolatedExtractor(limits: Partial<ExtractionLimits> = {}, pool: Partial<ExtractorPoolOptions> = {}): IsolatedExtractor {
  const workers = createExtractorPool({ ...DEFAULT_EXTRACTION_LIMITS, ...limits }, pool);
  return {
    detect: detectFormat,
    extract: (input) => workers.extract(input),
    close: () => workers.close(),
  };
}

/** Runs one extraction in a thread of its own (a pool of one, used once). */
export async function extractInWorker(
  input: ExtractionInput,
  limits: ExtractionLimits,
  workerEntry: URL = defaultWorkerEntry(),
): Promise<ExtractedDocument> {
  const pool = createExtractorPool(limits, { size: 1, maxDocumentsPerWorker: 1, workerEntry });
  try {
    return await pool.extract(input);
  } finally {
    await pool.close();
  }
}

interface Slot {
  worker: Worker;
  served: number;
  alive: boolean;
}

export function createExtractorPool(limits: ExtractionLimits, options: Partial<ExtractorPoolOptions> = {}): ExtractorPool {
  const size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
  const maxDocuments = Math.max(1, options.maxDocumentsPerWorker ?? 100);
  const entry = options.workerEntry ?? defaultWorkerEntry();
  const slots = new Set<Slot>();
  const idle: Slot[] = [];
  const waiting: (() => void)[] = [];
  let started = 0;
  let nextId = 1;
  let closed = false;

  const wakeOne = () => waiting.shift()?.();

  const spawn = (): Slot => {
    const slot: Slot = { worker: startWorker(entry, limits, options.execArgv), served: 0, alive: true };
    started += 1;
    slots.add(slot);
    // However it ends (terminated, crashed, out of memory), the pool forgets it once.
    slot.worker.once('exit', () => {
      slot.alive = false;
      slots.delete(slot);
      const at = idle.indexOf(slot);
      if (at >= 0) idle.splice(at, 1);
      wakeOne();
    });
    return slot;
  };

  const acquire = async (): Promise<Slot> => {
    for (;;) {
      if (closed) throw extractionFailed();
      const ready = idle.pop();
      if (ready) return ready;
      if (slots.size < size) return spawn();
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };

  /** A thread that did its job goes back to the pool; any other is ended and replaced on demand. */
  const release = (slot: Slot, reusable: boolean) => {
    if (reusable && slot.alive && !closed && slot.served < maxDocuments) {
      // An idle thread must not keep the process alive.
      slot.worker.unref();
      idle.push(slot);
      wakeOne();
    } else {
      void slot.worker.terminate();
    }
  };

  const run = (slot: Slot, input: ExtractionInput): Promise<ExtractedDocument> =>
    new Promise((resolve, reject) => {
      const { worker } = slot;
      const id = nextId++;
      let settled = false;
      const settle = (reusable: boolean, outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        release(slot, reusable);
        outcome();
      };
      const onMessage = (response: WorkerResponse) => {
        if (response.id !== id) return;
        if (response.ok) return settle(true, () => resolve(response.document));
        const { code } = response.error;
        // The document's own fault (corrupt, empty, a bomb refused): the thread is fine.
        const threadIsFine = code !== WORKER_MEMORY_CODE && code !== WORKER_CRASH_CODE;
        settle(threadIsFine, () => {
          if (code === WORKER_MEMORY_CODE) return reject(extractionMemory(limits.maxMemoryMb));
          if (code === WORKER_CRASH_CODE) return reject(extractionFailed());
          reject(deserializeError(response.error));
        });
      };
      const onError = (error: Error & { code?: string }) =>
        settle(false, () =>
          reject(
            withCause(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? extractionMemory(limits.maxMemoryMb) : extractionFailed(), error),
          ),
        );
      // Exiting without a message or an error event: killed from outside, or process.exit() in a dependency.
      const onExit = () => settle(false, () => reject(extractionFailed()));
      const timer = setTimeout(() => settle(false, () => reject(extractionTimeout(limits.timeoutMs))), limits.timeoutMs);
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.ref();
      const request: WorkerRequest = { id, input: { bytes: input.bytes, declaredType: input.declaredType, filename: input.filename, knownText: input.knownText } };
      worker.postMessage(request);
    });

  return {
    async extract(input) {
      const slot = await acquire();
      slot.served += 1;
      return run(slot, input);
    },
    get started() {
      return started;
    },
    async close() {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      await Promise.all([...slots].map((slot) => slot.worker.terminate()));
    },
  };
}

/** From sources (tests, `tsx`) the worker is TypeScript; from the built package it is dist/extractor-worker.js. */
function defaultWorkerEntry(): URL {
  const runningFromSource = import.meta.url.endsWith('.ts');
  return new URL(runningFromSource ? './extractor-worker.ts' : './extractor-worker.js', import.meta.url);
}

function startWorker(entry: URL, limits: ExtractionLimits, execArgv?: string[]): Worker {
  const options = {
    ...(execArgv && { execArgv }),
    resourceLimits: {
      maxOldGenerationSizeMb: limits.maxMemoryMb,
      // The young generation is part of the budget too; an eighth, bounded, is V8's usual proportion.
      maxYoungGenerationSizeMb: Math.min(64, Math.max(4, Math.floor(limits.maxMemoryMb / 8))),
    },
  };
  if (entry.pathname.endsWith('.ts')) {
    return new Worker(new URL('./ts-worker-bootstrap.mjs', import.meta.url), { ...options, workerData: { tsEntry: entry.href } });
  }
  return new Worker(entry, options);
}

function withCause<T extends Error>(error: T, cause: unknown): T {
  // Kept for logs and debugging; the message stays the one written for the uploader.
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true });
  return error;
}
