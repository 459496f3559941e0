/**
 * The baseline: a bare Hono hello-world on @hono/node-server, in its own process so that
 * it gets the same treatment as the Atrium server. Prints `{"ready":true,"port":N}`.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/', (c) => c.text('ok'));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: info.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
