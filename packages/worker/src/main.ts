// `pnpm --filter @atrium/worker start` (sources) or the `atrium-worker` bin (dist).
import { runWorker } from './run-worker.js';

await runWorker();
