import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createAtrium, type AtriumInstance } from '@atrium/core/node';
import type { BootstrapResult, WebFetcher } from '@atrium/core';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { seedDemo, type DemoState } from './demo/seed-demo.js';

export interface RunningServer {
  url: string;
  port: number;
  instance: AtriumInstance;
  bootstrap: BootstrapResult;
  /** Embedded mode's demo assistant, behind `/demo` (or why there is none). */
  demo: DemoState;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the database. */
  shutdown(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  /** The Markdown the embedded demo ingests (tests); by default Atrium's own `docs/`. Null: no demo. */
  demoDocsDir?: string | null;
  /** How `{url}` documents and crawls reach the web (tests: a scripted site); by default the safe web fetcher. */
  web?: WebFetcher;
}

/** Opens the database, migrates, bootstraps the first tenant, prepares the demo (embedded mode) and serves HTTP. */
export const startServer = async (config: Config, logger: Logger, options: StartOptions = {}): Promise<RunningServer> => {
  const instance = await createAtrium({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    redisUrl: config.redisUrl,
    jwtSecret: config.jwtSecret,
    models: config.models,
    crawler: config.crawler,
    settings: {
      maxUploadBytes: config.maxUploadBytes,
      chatContextTokens: config.models.chatContextTokens,
      defaultLanguage: config.defaultLanguage,
    },
    warn: (message, context) => logger.warn(context, message),
    ...(options.web && { web: options.web }),
  });
  let shuttingDown = false;
  let bootstrapped = false;
  let demo: DemoState = config.databaseUrl
    ? { status: 'unavailable', reason: 'the demo is part of embedded mode, and this server runs on PostgreSQL (DATABASE_URL)' }
    : { status: 'unavailable', reason: 'it is still being prepared; reload in a moment' };
  const app = createApp({
    core: instance.core,
    logger,
    ready: async () => {
      if (shuttingDown) throw new Error('shutting down');
      if (!bootstrapped) throw new Error('starting up');
      await instance.ping();
    },
    sysadminKey: config.sysadminKey,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    maxUploadBytes: config.maxUploadBytes,
    demo: () => demo,
  });

  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, ...(config.host && { hostname: config.host }) }, () => resolve(s));
    s.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${config.port} is already in use; set PORT to another port`) : error),
    );
  }).catch(async (error: unknown) => {
    await instance.close(0);
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  // Only once the port is ours: a failed start must not create an owner whose
  // generated password nobody ever saw.
  const bootstrap = await instance.core.tenants.bootstrap({
    adminEmail: config.adminEmail,
    adminPassword: config.adminPassword,
  });
  bootstrapped = true;
  if (!config.databaseUrl)
    demo = await seedDemo({
      core: instance.core,
      logger,
      dataDir: config.dataDir,
      publicUrl: config.publicUrl,
      bootstrap,
      ...(options.demoDocsDir !== undefined && { docsDir: options.demoDocsDir }),
    });

  const shutdown = async (graceMs = 10_000): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    await new Promise<void>((resolve) => {
      // Past the grace period, cut whatever is still open rather than hang.
      const force = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        resolve();
      }, graceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
    await instance.close();
  };

  return { url: `http://localhost:${port}`, port, instance, bootstrap, demo, shutdown };
};
