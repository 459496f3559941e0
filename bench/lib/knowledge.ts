/**
 * Shared by the Knowledge benchmarks (ingest-throughput, search-latency,
 * retrieval-quality): throwaway PostgreSQL databases, a tenant + space + actor on a fresh
 * Atrium, CPU time of PostgreSQL backends, percentiles, and the compiled extractor
 * worker. The deterministic corpora are in corpus.ts.
 */
import path from 'node:path';
import pg from 'pg';
import type { AtriumInstance } from '@atrium/core/node';
import { actorFor } from '@atrium/core/test';
import { BENCH_DIR, cpuMsOf } from './common.js';

export * from './corpus.js';

/** Throwaway PostgreSQL databases on DATABASE_URL's server, dropped by `drop()`. */
export const pgDatabase = async (adminUrl: string, label: string) => {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  const name = `atrium_bench_${label}_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
};

/** Whether DATABASE_URL's server answers. */
export const reachable = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
};

/** A tenant with its owner as the actor, and one space to create collections in. */
export const tenantAndSpace = async (instance: AtriumInstance, name = 'Bench') => {
  const { core } = instance;
  const { tenant, admin } = await core.tenants.create({
    name,
    adminEmail: `owner-${Date.now().toString(36)}@example.com`,
    adminPassword: 'bench-password-0123',
  });
  const actor = actorFor(admin);
  const space = await core.spaces.create(actor, { name: `${name} space` });
  return { tenantId: tenant.id, actor, spaceId: space.id };
};

/**
 * CPU time of the PostgreSQL backends serving database `name`, summed (ms). Backends
 * come and go with the pool, so `sample()` is called often and keeps each backend's last
 * value; backends of other databases (other work on the server) are not counted.
 */
export const backendCpu = (adminUrl: string, name: string) => {
  const seen = new Map<number, number>();
  const client = new pg.Client({ connectionString: adminUrl });
  let connected: Promise<unknown> | null = null;
  let base = 0;
  const sample = async () => {
    connected ??= client.connect();
    await connected;
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name]);
    for (const { pid } of rows) {
      const ms = cpuMsOf(pid);
      if (ms !== undefined) seen.set(pid, Math.max(seen.get(pid) ?? 0, ms));
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
  return {
    sample,
    /** Starts a measurement: the CPU backends already used does not count. */
    async start() {
      base = await sample();
    },
    /** CPU ms since `start()`. */
    async elapsed() {
      return (await sample()) - base;
    },
    close: () => client.end().catch(() => {}),
  };
};

/** The p-th percentile (0–100) by nearest rank. */
export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
};

/** CPU time of this process (all threads), ms. */
export const processCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export const mb = (bytes: number) => bytes / (1024 * 1024);
export const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/**
 * The extractor worker compiled to JavaScript, as the built package starts it
 * (dist/extractor-worker.js), bundled with esbuild into `dir`. From the sources (`pnpm
 * start`, tsx) each worker compiles the TypeScript again, which is not what a deployment
 * pays; this entry lets a benchmark measure both without building packages/.
 */
export const bundleExtractorWorker = async (dir: string): Promise<URL> => {
  const { createRequire } = await import('node:module');
  const require = createRequire(createRequire(import.meta.url).resolve('tsx'));
  // esbuild comes with tsx; it is not a dependency of its own here.
  const esbuild = require('esbuild') as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const entry = path.join(BENCH_DIR, '..', 'packages', 'core', 'src', 'adapters', 'extraction', 'extractor-worker.ts');
  await esbuild.build({
    entryPoints: { 'extractor-worker': entry },
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    conditions: ['@atrium/source'],
    // CommonJS dependencies bundled into ESM need a require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return new URL(`file://${path.join(dir, 'extractor-worker.mjs')}`);
};
