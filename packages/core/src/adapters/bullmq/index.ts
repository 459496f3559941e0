/** `@atrium/core/bullmq`: the connected-mode job queue (BullMQ on Redis). */
export { bullmqQueue, type BullmqQueueOptions, type QueueLogger } from './bullmq-queue.js';
