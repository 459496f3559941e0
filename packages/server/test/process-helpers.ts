import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the real CLI from sources, exactly as `pnpm start` does: its script's arguments to `node`. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const START_SCRIPT = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
export const CLI_ARGS = START_SCRIPT.split(/\s+/).slice(1);

/** The test runner's environment minus anything Atrium reads, plus `vars`. */
export const cliEnv = (vars: Record<string, string | undefined>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(ATRIUM_|OPENAI_|DATABASE_URL$|REDIS_URL$|PORT$|VITEST|NODE_OPTIONS$|TEST$)/.test(k)) continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
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

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  port: number;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `atrium start` and waits until /readyz answers 200. */
export const startCli = async (vars: Record<string, string | undefined>, timeoutMs = 60_000): Promise<RunningCli> => {
  const port = await freePort();
  const child = spawn(process.execPath, CLI_ARGS, {
    cwd: REPO_ROOT,
    env: cliEnv({ ATRIUM_LOG_LEVEL: 'warn', ...vars, PORT: String(port), ATRIUM_HOST: '127.0.0.1' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done) throw new Error(`atrium start exited before it was ready.\nstdout:\n${out}\nstderr:\n${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`atrium start was not ready within ${timeoutMs} ms.\nstdout:\n${out}\nstderr:\n${err}`);
    }
    try {
      // Ready means answering /readyz and having printed the start-up banner, which is
      // written (in one write, so it arrives whole) just after the server starts listening.
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200 && out.includes('Atrium is running')) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    port,
    url,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
  };
};

/** Waits for `promise`, or rejects after `ms`. */
export const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms).unref()),
  ]);
