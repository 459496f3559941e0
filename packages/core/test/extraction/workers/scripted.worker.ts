/**
 * Test double speaking the pool's protocol: answers each document by its filename, so a
 * test can make a thread fail the way a parser crash does ("crash.txt") or succeed
 * (anything else; the title is the thread's id, to see which thread answered).
 */
import { parentPort, threadId } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from '../../../src/adapters/extraction/worker-protocol.js';

parentPort?.on('message', ({ id, input }: WorkerRequest) => {
  const response: WorkerResponse =
    input.filename === 'crash.txt'
      ? { id, ok: false, error: { kind: 'invalid', code: 'extraction_failed', message: '' } }
      : { id, ok: true, document: { format: 'text', title: String(threadId), blocks: [{ kind: 'paragraph', text: input.filename ?? '' }] } };
  parentPort?.postMessage(response);
});
