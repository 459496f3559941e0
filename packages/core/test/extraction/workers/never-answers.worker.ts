/**
 * Test double for a parser stuck waiting forever: it never posts a result but sends a
 * heartbeat, so the test can prove the worker was really terminated (heartbeats stop).
 */
import { BroadcastChannel } from 'node:worker_threads';

const heartbeat = new BroadcastChannel('atrium-extraction-test-heartbeat');
setInterval(() => heartbeat.postMessage('alive'), 10);
