/**
 * Worker-thread entry: extracts the documents it is sent, one at a time, and answers each
 * with the result or a serialised error. The pool (isolated-extractor.ts) keeps a worker
 * for a bounded number of documents and replaces it after any failure that is not the
 * document's own fault, so a poisoned parser state or a leaked buffer does not outlive
 * the file that caused it for long.
 */
import { parentPort } from 'node:worker_threads';
import { extractDocument } from './extract-document.js';
import { serializeError, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

parentPort?.on('message', async ({ id, input }: WorkerRequest) => {
  let response: WorkerResponse;
  try {
    response = { id, ok: true, document: await extractDocument(input) };
  } catch (error) {
    response = { id, ok: false, error: serializeError(error) };
  }
  parentPort?.postMessage(response);
});
