import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';

/**
 * Streams server-sent events with client-disconnect detection: `signal` aborts when the
 * client goes away (the response is cancelled or the request's socket closes), so the
 * producer can stop upstream work. The producer should keep running to its end after
 * the abort (writes are then dropped): that is where it stores what happened.
 */
export const streamEvents = (c: Context, produce: (stream: SSEStreamingApi, signal: AbortSignal) => Promise<void>): Response => {
  const controller = new AbortController();
  const abort = () => controller.abort(new DOMException('The client disconnected', 'AbortError'));
  c.req.raw.signal?.addEventListener('abort', abort, { once: true });
  // Proxies (nginx) buffer responses unless told not to; events must flow as they happen.
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache, no-transform');
  return streamSSE(c, async (stream) => {
    stream.onAbort(abort);
    try {
      await produce(stream, controller.signal);
    } finally {
      c.req.raw.signal?.removeEventListener('abort', abort);
    }
  });
};
