/**
 * The subject of the Chat benchmarks: Atrium's app (createApp from @atrium/server) on
 * @hono/node-server, over `createAtrium` on the database the benchmark prepared
 * (BENCH_DATABASE_URL, else PGlite in BENCH_DATA_DIR), with the completion model `gpt-4o-mini` (the fake)
 * on the fake OpenAI-compatible server at BENCH_FAKE_URL (the official `openai` client, as
 * in production; maxRetries 0 so that no upstream failure is hidden by a retry, default
 * timeouts), local models otherwise. Logger silent, as in the other benchmarks.
 *
 * Talks to the benchmark over IPC (lib/chat.ts `serveIpc`): `stats` (memory now and peak,
 * the PostgreSQL pool's peak use, event-loop delay), `reset` (peaks and histogram), `gc`
 * (a full collection; the process runs with --expose-gc). With BENCH_SAMPLE_MS > 0,
 * process.memoryUsage() and the pool are sampled in-process at that interval.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { combineChatModels } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { localChatModels } from '@atrium/core/local';
import { openAIChatModels } from '@atrium/core/openai';
import { createApp, createLogger } from '@atrium/server';
import { FAKE_API_KEY, FAKE_MODEL, serveIpc, type ServerStats } from '../lib/ipc.js';

const env = process.env;
const fakeUrl = env.BENCH_FAKE_URL;
if (!fakeUrl) throw new Error('BENCH_FAKE_URL is required');
const sampleMs = Number(env.BENCH_SAMPLE_MS ?? 0);

const remote = openAIChatModels({ apiKey: FAKE_API_KEY, baseURL: fakeUrl, defaultModel: FAKE_MODEL, maxRetries: 0 });
const instance = await createAtrium({
  databaseUrl: env.BENCH_DATABASE_URL || undefined,
  dataDir: env.BENCH_DATA_DIR,
  jwtSecret: env.BENCH_JWT_SECRET,
  bcryptCost: 4,
  chatModels: combineChatModels(FAKE_MODEL, localChatModels(), remote),
});
const app = createApp({ core: instance.core, logger: createLogger('silent'), ready: () => instance.ping() });
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});
const port = (server.address() as AddressInfo).port;

// node-postgres' pool behind drizzle (PostgreSQL only): how many connections, how many waiting.
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}
const client = (instance.database.db as unknown as { $client?: Partial<PgPool> }).$client;
const pool = client && typeof client.waitingCount === 'number' ? (client as PgPool) : null;

const fresh = () => ({ rss: 0, heapUsed: 0, heapTotal: 0, external: 0 });
let peak = fresh();
let peakTotal = 0;
let peakWaiting = 0;
let samples = 0;
const sample = () => {
  const m = process.memoryUsage();
  peak = {
    rss: Math.max(peak.rss, m.rss),
    heapUsed: Math.max(peak.heapUsed, m.heapUsed),
    heapTotal: Math.max(peak.heapTotal, m.heapTotal),
    external: Math.max(peak.external, m.external),
  };
  if (pool) {
    peakTotal = Math.max(peakTotal, pool.totalCount);
    peakWaiting = Math.max(peakWaiting, pool.waitingCount);
  }
  samples++;
  return m;
};
if (sampleMs > 0) setInterval(sample, sampleMs).unref();
const loop = sampleMs > 0 ? monitorEventLoopDelay({ resolution: 10 }) : null;
loop?.enable();

const gc = (globalThis as { gc?: () => void }).gc;

serveIpc(
  { port, driver: instance.database.driver, pid: process.pid },
  {
    stats: (): ServerStats => {
      const m = sample();
      return {
        pid: process.pid,
        memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers },
        peak,
        samples,
        pool: pool ? { max: pool.options.max, peakTotal, peakWaiting, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null,
        eventLoop: loop ? { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 } : null,
      };
    },
    reset: () => {
      peak = fresh();
      peakTotal = 0;
      peakWaiting = 0;
      samples = 0;
      loop?.reset();
      sample();
      return true;
    },
    gc: async () => {
      if (!gc) return false;
      gc();
      await new Promise((resolve) => setTimeout(resolve, 50));
      gc();
      return true;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await instance.close(1_000);
      setTimeout(() => process.exit(0), 10).unref();
      return true;
    },
  },
);
