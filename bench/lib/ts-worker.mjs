// Starts a TypeScript worker-thread entry through tsx's API: on Node 20 the parent's
// `--import tsx` does not apply tsx's loader hooks inside a worker (the same approach as
// packages/core/src/adapters/extraction/ts-worker-bootstrap.mjs).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.tsEntry, import.meta.url);
