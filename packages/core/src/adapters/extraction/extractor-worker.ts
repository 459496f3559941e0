/**
 * Worker-thread entry: extracts the one document it was started with, posts the result
 * (or a serialised error) and ends. One worker per document keeps a poisoned parser
 * state or a leaked buffer from outliving the file that caused it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { extractDocument } from './extract-document.js';
import { serializeError, type WorkerRequest, type WorkerResponse } from './worker-protocol.js';

const { input } = workerData as WorkerRequest;
let response: WorkerResponse;
try {
  response = { ok: true, document: await extractDocument(input) };
} catch (error) {
  response = { ok: false, error: serializeError(error) };
}
parentPort?.postMessage(response);
