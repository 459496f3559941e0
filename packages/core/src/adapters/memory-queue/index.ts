export { inProcessQueue, type InProcessQueueOptions } from './in-process-queue.js';
export { inProcessScheduler } from './in-process-scheduler.js';
