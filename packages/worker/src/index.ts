/** The version of `@atrium/worker` (kept equal to package.json; a test checks it). */
export const VERSION = '0.1.0';

export { runWorker, WorkerStartError, type RunWorkerOptions, type RunningWorker } from './run-worker.js';
export { loadWorkerSettings, WorkerSettingsError, type WorkerSettings } from './settings.js';
