// Development and tests only (the built package starts dist/extractor-worker.js directly).
// Node 20 cannot start a worker from a .ts file, and `--import tsx` in a worker's
// execArgv does not apply tsx's loader hooks inside the worker on Node 20, so this plain
// JavaScript entry loads tsx's API and imports the TypeScript worker through it.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.tsEntry, import.meta.url);
