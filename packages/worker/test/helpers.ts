import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AtriumCore, KnowledgeDocument } from '@atrium/core';
import { createAtrium, type AtriumInstance, type CreateAtriumOptions } from '@atrium/core/node';
import { actorFor, testDatabaseTargets } from '@atrium/core/test';

export const WORKER_DIR = fileURLToPath(new URL('../', import.meta.url));
/** Exactly what `pnpm --filter @atrium/worker start` runs. */
export const WORKER_ARGS = ['--conditions=@atrium/source', '--import', 'tsx', 'src/main.ts'];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value; throws with `what` (and `context()`) after `timeoutMs`. */
export const waitFor = async <T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  context: () => string = () => '',
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms\n${context()}`);
    await sleep(100);
  }
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

// ---------------------------------------------------------------------------------------
// Services. Like the database suites (`testDatabaseTargets`): with CI=true a missing
// service fails the run; elsewhere the suite is skipped and says why.

export interface Requirement {
  ok: boolean;
  reason: string;
}

/** Real PostgreSQL (from DATABASE_URL): the worker is a separate process, so PGlite cannot be shared. */
export const postgresTarget = async () => {
  const target = (await testDatabaseTargets()).find((t) => t.name === 'postgres');
  return {
    target,
    requirement: {
      ok: Boolean(target),
      reason: target ? 'PostgreSQL from DATABASE_URL' : 'needs PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    } satisfies Requirement,
  };
};

/** A private `redis-server` per suite: tests restart it (losing its data) without touching a shared Redis. */
export const redisServerRequirement = (): Requirement => {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, reason: 'redis-server found' };
  if (process.env.CI === 'true') throw new Error('CI=true but the redis-server binary is not installed: Redis reliability tests are required in CI');
  return { ok: false, reason: 'needs the redis-server binary on PATH' };
};

/** Sends one inline command to Redis and returns its raw reply (or throws when unreachable). */
export const redisCommand = (port: number, command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.endsWith('\r\n')) {
        socket.end();
        resolve(reply.trim());
      }
    });
    socket.on('error', reject);
  });

export interface RedisServer {
  port: number;
  url: string;
  /** Keys in the database (DBSIZE). */
  size(): Promise<number>;
  /** Kills the server (its data is gone: no persistence) and starts a fresh one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const startRedisServer = async (): Promise<RedisServer> => {
  const port = await freePort();
  let child: ChildProcessWithoutNullStreams | null = null;
  let output = '';
  const launch = async () => {
    output = '';
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    c.stdout.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child = c;
    await waitFor(
      () => redisCommand(port, 'PING').then((r) => r === '+PONG', () => false),
      15_000,
      `redis-server on port ${port}`,
      () => output,
    );
  };
  const kill = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    size: async () => Number((await redisCommand(port, 'DBSIZE')).replace(/^:/, '')),
    async restart() {
      await kill();
      await launch();
    },
    stop: kill,
  };
};

// ---------------------------------------------------------------------------------------
// Worker processes.

/** The test runner's environment minus anything Atrium reads, plus `vars`. */
export const workerEnv = (vars: Record<string, string | undefined>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ATRIUM_|OPENAI_|DATABASE_URL$|REDIS_URL$|PORT$|VITEST|NODE_OPTIONS$|TEST$)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
};

export interface LogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  name: string;
  output(): string;
  logs(): LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a log line matching `match`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns a worker process exactly as `pnpm --filter @atrium/worker start` does. */
export const spawnWorker = (name: string, vars: Record<string, string | undefined>): WorkerProcess => {
  const child = spawn(process.execPath, WORKER_ARGS, {
    cwd: WORKER_DIR,
    env: workerEnv({ ATRIUM_LOG_LEVEL: 'info', ...vars }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const logs = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  const output = () => `--- worker ${name} stdout ---\n${stdout}\n--- worker ${name} stderr ---\n${stderr}`;
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    name,
    output,
    logs,
    exited,
    waitForLog: (match, timeoutMs, what) =>
      waitFor(
        async () => {
          const line = logs().find(match);
          if (!line && done) throw new Error(`worker ${name} exited before ${what}\n${output()}`);
          return line;
        },
        timeoutMs,
        `worker ${name}: ${what}`,
        output,
      ),
    async kill(signal = 'SIGKILL') {
      if (!done) child.kill(signal);
      return exited;
    },
  };
};

export const startWorker = async (name: string, vars: Record<string, string | undefined>): Promise<WorkerProcess> => {
  const worker = spawnWorker(name, vars);
  await worker.waitForLog((l) => l.msg === 'worker started', 60_000, 'start');
  return worker;
};

// ---------------------------------------------------------------------------------------
// A core in the test process (it enqueues; workers run the jobs).

export interface Environment {
  atrium: AtriumInstance;
  core: AtriumCore;
  databaseUrl: string;
  redis: RedisServer;
  actor: ReturnType<typeof actorFor>;
  collectionId: string;
  close(): Promise<void>;
}

export const openEnvironment = async (
  target: NonNullable<Awaited<ReturnType<typeof postgresTarget>>['target']>,
  /** Further options of the producing core (e.g. `crawler`). */
  options: Partial<CreateAtriumOptions> = {},
): Promise<Environment> => {
  const database = await target.create();
  const redis = await startRedisServer();
  const atrium = await createAtrium({ databaseUrl: database.databaseUrl, redisUrl: redis.url, runJobs: false, bcryptCost: 4, ...options });
  const suffix = Math.random().toString(36).slice(2, 8);
  const { admin } = await atrium.core.tenants.create({
    name: `reliability-${suffix}`,
    adminEmail: `owner-${suffix}@example.com`,
    adminPassword: 'correct horse battery staple',
  });
  const actor = actorFor(admin);
  const space = await atrium.core.spaces.create(actor, { name: 'Reliability' });
  const collection = await atrium.core.collections.create(actor, space.id, {
    name: 'Handbook',
    chunking: { chunkTokens: 64, overlapTokens: 8 },
  });
  return {
    atrium,
    core: atrium.core,
    databaseUrl: database.databaseUrl!,
    redis,
    actor,
    collectionId: collection.id,
    async close() {
      await atrium.close(0).catch(() => {});
      await redis.stop();
      await database.drop();
    },
  };
};

const TOPICS = ['onboarding', 'security', 'holidays', 'expenses', 'equipment', 'travel', 'payroll', 'benefits', 'training', 'offboarding'];

/** A document long enough to give dozens of chunks. */
export const longText = (seed: string, paragraphs = 24): string =>
  Array.from({ length: paragraphs }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    return `## ${topic} ${i + 1} (${seed})\n\nThe ${topic} policy, section ${i + 1}, explains how employees request ${topic} support, who approves it, and what records are kept. Requests are reviewed within ${i + 2} working days; exceptions need a written reason from the team lead. Document ${seed} keeps this paragraph distinct with the marker ${seed}-${i}.`;
  }).join('\n\n');

export const createDocument = async (env: Environment, title: string) => {
  const created = await env.core.documents.create(env.actor, env.collectionId, { kind: 'text', title, text: longText(title) });
  if (!created.job) throw new Error('expected a job');
  return { document: created.document, jobId: created.job.id };
};

/** Every chunk of a document, following cursors. */
export const allChunks = async (env: Environment, documentId: string) => {
  const chunks = [];
  let cursor: string | null = null;
  do {
    const page = await env.core.documents.chunks(env.actor, documentId, { limit: 100, cursor });
    chunks.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return chunks;
};

export const documentIn = async (env: Environment, documentId: string, statuses: KnowledgeDocument['status'][]) => {
  const document = await env.core.documents.get(env.actor, documentId);
  return statuses.includes(document.status) ? document : null;
};

/** Asserts a ready document has exactly chunkCount chunks with ordinals 0..n-1, each once. */
export const chunkIntegrity = async (env: Environment, documentId: string) => {
  const document = await env.core.documents.get(env.actor, documentId);
  const chunks = await allChunks(env, documentId);
  const ordinals = chunks.map((c) => c.ordinal).sort((a, b) => a - b);
  return {
    status: document.status,
    chunkCount: document.chunkCount,
    found: chunks.length,
    uniqueIds: new Set(chunks.map((c) => c.id)).size,
    ordinalsAreSequence: ordinals.every((o, i) => o === i),
  };
};
