/**
 * Helper processes with an IPC channel (the Chat benchmarks' Atrium server and fake model
 * server). Light on imports: the helpers load it too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BENCH_DIR, captureOutput, TS_NODE_ARGS, track } from './common.js';

export const FAKE_API_KEY = 'bench-upstream-key';
// Named like the model most installations default to, so the context window (and budget) is realistic.
export const FAKE_MODEL = 'gpt-4o-mini';

export interface IpcHelper<T> {
  child: ChildProcess;
  info: T;
  output: () => string;
  /** Sends a command and resolves with the helper's answer to it. */
  ask<R = unknown>(command: string, args?: unknown): Promise<R>;
}

/**
 * Starts a TypeScript helper with an IPC channel; it sends `{ ready: true, ... }` once it
 * listens, and answers `{ id, command, args }` messages with `{ id, result | error }`.
 */
export const startIpcHelper = async <T>(file: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = [], timeoutMs = 120_000): Promise<IpcHelper<T>> => {
  const child = track(spawn(process.execPath, [...nodeArgs, ...TS_NODE_ARGS, file], { cwd: BENCH_DIR, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
  const output = captureOutput(child);
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not report ready in ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    child.on('message', (message: { ready?: boolean; id?: number; result?: unknown; error?: string }) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve(message as T);
        return;
      }
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const error = new Error(`${file} exited (${code ?? signal}):\n${output()}`);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
      reject(error);
    });
  });
  const ask = <R>(command: string, args?: unknown) =>
    new Promise<R>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, args });
    });
  return { child, info, output, ask };
};

/** In a helper: answers IPC commands with `handlers`, and says it is ready. */
export const serveIpc = (ready: Record<string, unknown>, handlers: Record<string, (args: unknown) => unknown>) => {
  process.on('message', (message: { id: number; command: string; args?: unknown }) => {
    const handler = handlers[message.command];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        return handler(message.args);
      })
      .then(
        (result) => process.send!({ id: message.id, result }),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
      );
  });
  // The parent going away (even killed) ends the helper too.
  process.once('disconnect', () => process.exit(0));
  process.send!({ ready: true, ...ready });
};

/** What the Atrium server helper (servers/chat-atrium.ts) reports about itself. */
export interface ServerStats {
  pid: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  peak: { rss: number; heapUsed: number; heapTotal: number; external: number };
  samples: number;
  pool: { max: number; peakTotal: number; peakWaiting: number; total: number; idle: number; waiting: number } | null;
  eventLoop: { p50: number; p99: number; max: number } | null;
}

