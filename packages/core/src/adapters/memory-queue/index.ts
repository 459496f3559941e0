export { inProcessQueue, type InProcessQueueOptions } from './in-process-queue.js';
