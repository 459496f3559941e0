/**
 * A bare Hono app on @hono/node-server plus one middleware, chosen by name in argv[2]
 * (see middleware-variants.ts). Used by middleware-cost.ts to measure what each middleware
 * costs through the real Node adapter, where touching `c.res` or `c.req.raw` early
 * materialises full Request/Response objects: a cost `app.request()` in-process cannot
 * show. Prints `{"ready":true,"port":N}`.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { VARIANTS } from './middleware-variants.js';

const variant = process.argv[2] ?? 'bare';
const make = VARIANTS[variant];
if (!make) throw new Error(`unknown variant ${variant}`);
const app = new Hono();
const mw = make();
if (mw) app.use('*', mw);
app.get('/', (c) => c.text('ok'));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: info.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
