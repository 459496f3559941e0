import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@atrium/core/test';
import { spawn } from 'node:child_process';
import { CLI_ARGS, REPO_ROOT, cliEnv, freePort, startCli, within, type RunningCli } from './process-helpers.js';

/** The real `atrium start` process: first-start bootstrap, restart, graceful shutdown. */

const json = async (url: string, init: RequestInit & { token?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('Authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('Content-Type', 'application/json');
  const r = await fetch(url, { ...init, headers });
  const text = await r.text();
  return { status: r.status, body: text ? (JSON.parse(text) as any) : undefined, text };
};

const loginAt = (cli: RunningCli, email: string, password: string) =>
  json(`${cli.url}/api/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email, password }) });

describe.each(await testDatabaseTargets())('the atrium process on $name', (target) => {
  let dataDir: string;
  let database: Awaited<ReturnType<typeof target.create>>;
  const running: RunningCli[] = [];

  const start = async (extra: Record<string, string> = {}) => {
    const cli = await startCli({ ATRIUM_DATA_DIR: dataDir, DATABASE_URL: database.databaseUrl, ...extra });
    running.push(cli);
    return cli;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-process-'));
    database = await target.create();
  });
  afterAll(async () => {
    for (const cli of running) await cli.stop();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let ownerEmail = '';
  let ownerPassword = '';

  it('first start prints a generated owner password once; it logs in; SIGTERM exits 0; a restart keeps the data and prints no password', async () => {
    const first = await start();
    const banner = first.stdout();
    const password = banner.match(/Password:\s+(\S+)/)?.[1];
    const email = banner.match(/Owner account:\s+(\S+)/)?.[1];
    expect(password, banner).toEqual(expect.stringMatching(/^[0-9A-Za-z]{20}$/));
    expect(email).toBe('admin@atrium.local');
    expect(banner.split(password!).length - 1).toBe(1); // printed once
    expect(first.stderr()).not.toContain(password!);
    ownerEmail = email!;
    ownerPassword = password!;
    // Embedded mode ends with something to talk to: the demo, next to the API reference.
    const demo = await fetch(`${first.url}/demo`);
    if (target.name === 'pglite') {
      expect(banner).toContain(`  Demo:           http://localhost:${first.port}/demo\n  API reference:  http://localhost:${first.port}/docs`);
      // 200 with the widget built, a 503 problem saying so without it; never the connected-mode 404.
      expect([200, 503], await demo.clone().text()).toContain(demo.status);
    } else {
      expect(banner).not.toContain('/demo');
      expect(demo.status).toBe(404);
      expect(((await demo.json()) as { code: string }).code).toBe('demo_unavailable');
    }

    const session = await loginAt(first, ownerEmail, ownerPassword);
    expect(session.status).toBe(200);
    const token = session.body.accessToken as string;
    const space = await json(`${first.url}/api/v1/spaces`, { method: 'POST', token, body: JSON.stringify({ name: 'Survives restarts' }) });
    expect(space.status).toBe(201);

    const sentAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await within(first.exited, 10_000, 'exit after SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    expect(first.stdout() + first.stderr()).not.toContain('unhandled error');

    const second = await start();
    expect(second.stdout()).toContain('Atrium is running');
    expect(second.stdout()).not.toMatch(/Password:/);
    expect(second.stdout()).not.toContain(ownerPassword);
    const again = await loginAt(second, ownerEmail, ownerPassword);
    expect(again.status).toBe(200);
    // Access tokens from before the restart still verify: the generated JWT secret was kept.
    const still = await json(`${second.url}/api/v1/spaces/${space.body.id}`, { token });
    expect(still.status).toBe(200);
    expect(still.body.name).toBe('Survives restarts');
    second.child.kill('SIGTERM');
    expect(await within(second.exited, 10_000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('SIGTERM while requests are in flight lets them finish, then exits 0', async () => {
    expect(ownerPassword, 'depends on the restart test having bootstrapped the owner').not.toBe('');
    // One libuv thread: the logins' bcrypt (cost 12, the CLI's setting) runs one after another.
    const cli = await start({ UV_THREADPOOL_SIZE: '1' });
    // Logins hash with bcrypt at cost 12, each some hundreds of ms.
    const inFlight = Array.from({ length: 3 }, () =>
      loginAt(cli, ownerEmail, ownerPassword).then((r) => ({ ...r, at: Date.now() })),
    );
    await new Promise((r) => setTimeout(r, 150));
    const signalledAt = Date.now();
    cli.child.kill('SIGTERM');
    const results = await Promise.all(inFlight);
    for (const r of results) expect(r.status, r.text).toBe(200);
    expect(results.some((r) => r.at > signalledAt), 'no request was still in flight at SIGTERM').toBe(true);
    const exit = await within(cli.exited, 10_000, 'exit after SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    // And it no longer listens.
    await expect(fetch(`${cli.url}/healthz`)).rejects.toThrow();
  }, 120_000);
});

describe('the atrium process, stopped during start-up', () => {
  it('SIGTERM as soon as /readyz answers 200 (first start, the demo still being seeded) exits 0 once start-up is done', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'atrium-early-stop-'));
    const port = await freePort();
    const child = spawn(process.execPath, CLI_ARGS, {
      cwd: REPO_ROOT,
      env: cliEnv({ ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: dataDir, DATABASE_URL: undefined, PORT: String(port), ATRIUM_HOST: '127.0.0.1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`not ready within 60 s:\n${out}`);
        const status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // Before the banner: start-up (the demo's seeding) has not finished yet.
      expect(out).not.toContain('Atrium is running');
      child.kill('SIGTERM');
      expect(await within(exited, 60_000, 'exit after SIGTERM'), out).toEqual({ code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
