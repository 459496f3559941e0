/**
 * Where the time of one authenticated `GET /api/v1/me` goes: each piece of the request
 * timed on its own, in this process, one call after another (no network, no concurrency),
 * so the numbers are CPU cost per call, comparable with each other within one run.
 *
 * Pieces: JWT verification, the database lookups (through drizzle and raw), the core use
 * cases, the HTTP middleware one at a time on a bare Hono app, and the whole app in-process.
 * Embedded (PGlite) always; PostgreSQL too when DATABASE_URL is set and reachable.
 *
 * The middleware are imported from @atrium/server's source files directly (they are not
 * exported): if they move, update the imports below.
 */
import { createHmac, timingSafeEqual, webcrypto } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { and, eq, sql } from 'drizzle-orm';
import { schema } from '@atrium/core/database';
import { createCore } from '@atrium/core';
import { createAtrium, joseAccessTokens, memoryCache, type AtriumInstance } from '@atrium/core/node';
import { actorFor } from '@atrium/core/test';
import { createApp, createLogger } from '@atrium/server';
import { apiCors } from '../packages/server/src/http/middleware/cors.js';
import { edgeOnlyGate, picked } from './servers/middleware-variants.js';
import { appendResults, BENCH_JWT_SECRET, load, table, tempDir } from './lib/common.js';

const EMAIL = 'bench@example.com';
const PASSWORD = 'bench-password-0123';
const BUDGET_MS = Number(process.env.BENCH_PIECE_MS ?? 1_000);

interface Piece {
  group: string;
  name: string;
  fn: () => unknown;
  /** µs of CPU per call (this process, all threads), one entry per round. */
  cpu: number[];
  /** µs of wall time per call, one entry per round. */
  wall: number[];
}

const ROUNDS = 5;
const pieces: Piece[] = [];
const record = (group: string, name: string, fn: () => unknown) => {
  pieces.push({ group, name, fn, cpu: [], wall: [] });
};

const slice = async (piece: Piece, ms: number) => {
  let n = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + ms;
  while (performance.now() < until || n < 5) {
    await piece.fn();
    n++;
  }
  const wall = ((performance.now() - started) * 1000) / n;
  const used = process.cpuUsage(cpuBefore);
  return { cpu: (used.user + used.system) / n, wall };
};

/**
 * Every piece is warmed up, then run back to back for BUDGET_MS / ROUNDS in each of ROUNDS
 * rounds that go through all the pieces in turn, so that a burst of other work on the
 * machine is spread over all of them. The lowest round is kept: other work only ever adds.
 */
const measureAll = async () => {
  for (const piece of pieces) await slice(piece, BUDGET_MS / 4);
  for (let round = 0; round < ROUNDS; round++)
    for (const piece of pieces) {
      const { cpu, wall } = await slice(piece, BUDGET_MS / ROUNDS);
      piece.cpu.push(cpu);
      piece.wall.push(wall);
    }
  for (const p of pieces)
    console.log(`  ${p.group.padEnd(22)} ${p.name.padEnd(70)} ${Math.min(...p.cpu).toFixed(1).padStart(8)} µs CPU ${Math.min(...p.wall).toFixed(1).padStart(8)} µs wall`);
};

const ok = async (response: Response | Promise<Response>) => {
  const r = await response;
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${await r.text()}`);
  await r.arrayBuffer();
};

const silent = createLogger('silent');
// A logger at the default level writing to nowhere: the cost of formatting a line per request.
const infoToNowhere = createLogger('info', { write: () => {} });

const httpPieces = () => {
  const group = 'HTTP (in-process)';
  const bare = new Hono().get('/', (c) => c.text('ok'));
  record(group, 'bare Hono `GET /` via app.request', () => ok(bare.request('/')));
  const withMiddleware = (name: string, mw: MiddlewareHandler) => {
    const app = new Hono();
    app.use('*', mw);
    app.get('/', (c) => c.text('ok'));
    record(group, `  + ${name}`, () => ok(app.request('/')));
  };
  withMiddleware("the gateway's edge (request id, security headers, metrics; log level 'silent')", edgeOnlyGate(silent));
  withMiddleware("the gateway's edge, log level 'info' to a no-op stream", edgeOnlyGate(infoToNowhere));
  withMiddleware('secureHeaders(...) (hono, as Atrium had it)', secureHeaders({ crossOriginResourcePolicy: 'cross-origin', crossOriginEmbedderPolicy: false }));
  withMiddleware("cors({ origin: '*' ... }) (hono, as Atrium had it on every /api request)", cors({ origin: '*', maxAge: 600 }));
  withMiddleware("apiCors (Atrium's: hono/cors only with an Origin header; none here)", picked(apiCors({ origins: '*' })));
};

const databasePieces = async (label: string, instance: AtriumInstance, token: string) => {
  const group = label;
  const { core, database } = instance;
  const actor = await core.auth.authenticate(token);
  const store = (await import('@atrium/core/database')).createDatabaseStore(database.db);
  const repos = store.forTenant(actor.tenantId);

  record(group, 'ping: `select 1` (driver floor)', () => database.ping());
  record(group, 'store.forTenant(t).users.get(id) (drizzle)', () => repos.users.get(actor.userId));
  record(group, 'store.forTenant(t).tenant() (drizzle)', () => repos.tenant());
  record(group, 'store.forTenant(t).users.getWithTenant(id) (one join, prepared: what authentication runs)', () =>
    store.forTenant(actor.tenantId).users.getWithTenant(actor.userId),
  );
  const query = database.db
    .select()
    .from(schema.users)
    .where(and(eq(schema.users.tenantId, actor.tenantId), eq(schema.users.id, actor.userId)))
    .toSQL();
  type Client = { query: (sql: string, params: unknown[], options?: object) => Promise<unknown> };
  const client = (database.db as unknown as { $client: Client }).$client;
  record(group, 'the same users select, raw on the driver (no drizzle)', () => client.query(query.sql, query.params));
  if (database.driver === 'pglite') {
    // drizzle's PGlite driver passes its own `parsers` on every query; PGlite then merges them
    // into a copy of its ~300 default parsers, per query.
    const parsers = { 1114: (v: unknown) => v, 1184: (v: unknown) => v };
    record(group, "  … raw, with a per-query `parsers` option as drizzle's driver passes", () =>
      client.query(query.sql, query.params, { rowMode: 'array', parsers }),
    );
  }
  const prepared = database.db
    .select()
    .from(schema.users)
    .where(and(eq(schema.users.tenantId, sql.placeholder('tenantId')), eq(schema.users.id, sql.placeholder('id'))))
    .prepare('bench_user_by_id');
  record(group, 'the same select as a drizzle prepared query (.prepare(), built once)', () =>
    prepared.execute({ tenantId: actor.tenantId, id: actor.userId }),
  );
  record(group, 'building that select with drizzle (.toSQL(), no I/O)', () =>
    database.db
      .select()
      .from(schema.users)
      .where(and(eq(schema.users.tenantId, actor.tenantId), eq(schema.users.id, actor.userId)))
      .toSQL(),
  );
  // The same core without its two caches: every call checks the JWT with jose and reads the database.
  const uncached = createCore({
    ...core.context,
    accessTokens: joseAccessTokens({ secret: BENCH_JWT_SECRET, rememberVerified: 0 }),
    authCache: memoryCache({ ttlMs: 0, maxEntries: 0 }),
  });
  record(group, 'core.auth.authenticate(token), as configured (repeat caller: both caches hit)', () => core.auth.authenticate(token));
  record(group, 'core.auth.authenticate(token), caches off (JWT verify + 1 query)', () => uncached.auth.authenticate(token));
  record(group, "core.me(actor) with authenticate's actor (reuses what it loaded: no query)", () => core.me(actor));
  const bareActor = actorFor({ id: actor.userId, tenantId: actor.tenantId, role: actor.tenantRole });
  record(group, 'core.me(actor) with an actor made elsewhere (1 query)', () => core.me(bareActor));

  const app = createApp({ core, logger: silent, ready: () => database.ping() });
  const headers = { Authorization: `Bearer ${token}` };
  record(group, 'Atrium app `GET /healthz` via app.request (middleware, no auth)', () => ok(app.request('/healthz')));
  record(group, 'Atrium app `GET /api/v1/me` via app.request (everything)', () => ok(app.request('/api/v1/me', { headers })));
};

const setUp = async (databaseUrl: string | undefined) => {
  const instance = await createAtrium({ databaseUrl, dataDir: tempDir('breakdown'), jwtSecret: BENCH_JWT_SECRET, bcryptCost: 4 });
  await instance.core.tenants.bootstrap({ adminEmail: EMAIL, adminPassword: PASSWORD });
  const session = await instance.core.auth.login({ email: EMAIL, password: PASSWORD, ip: '127.0.0.1' });
  return { instance, token: session.accessToken };
};

const main = async () => {
  console.log(`me-breakdown: CPU cost of the pieces of GET /api/v1/me, one call at a time (~${BUDGET_MS} ms each, in ${ROUNDS} interleaved rounds)\n`);
  const loadBefore = load();
  const cleanups: (() => Promise<void>)[] = [];
  let connectedNote = 'PostgreSQL skipped: DATABASE_URL is not set.';
  try {
    httpPieces();

    const embedded = await setUp(undefined);
    cleanups.push(() => embedded.instance.close());
    const group = 'JWT';
    const raw = new TextEncoder().encode(BENCH_JWT_SECRET);
    record(group, 'jose jwtVerify given the raw secret (imports a WebCrypto key per call)', () =>
      jwtVerify(embedded.token, raw, { algorithms: ['HS256'], issuer: 'atrium', audience: 'atrium-api' }),
    );
    const checkEveryTime = joseAccessTokens({ secret: BENCH_JWT_SECRET, rememberVerified: 0 });
    record(group, 'joseAccessTokens.verify, remembering off (jose, key imported once)', () => checkEveryTime.verify(embedded.token));
    const tokens = joseAccessTokens({ secret: BENCH_JWT_SECRET });
    record(group, 'joseAccessTokens.verify, token remembered (SHA-256 + lookup + exp check)', () => tokens.verify(embedded.token));
    const cryptoKey = await webcrypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    record(group, 'jose jwtVerify with a CryptoKey imported once', () =>
      jwtVerify(embedded.token, cryptoKey, { algorithms: ['HS256'], issuer: 'atrium', audience: 'atrium-api' }),
    );
    // The floor: HMAC-SHA256 over header.payload with node:crypto, synchronously (no claim checks).
    record(group, 'floor: node:crypto HMAC-SHA256 check + JSON.parse of the claims', () => {
      const [header, payload, signature] = embedded.token.split('.');
      const mac = createHmac('sha256', raw).update(`${header}.${payload}`).digest();
      if (!timingSafeEqual(mac, Buffer.from(signature!, 'base64url'))) throw new Error('bad signature');
      return JSON.parse(Buffer.from(payload!, 'base64url').toString());
    });
    await databasePieces('embedded (PGlite)', embedded.instance, embedded.token);

    const adminUrl = process.env.DATABASE_URL;
    if (adminUrl) {
      const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
      const reachable = await admin.connect().then(
        () => true,
        () => false,
      );
      if (!reachable) connectedNote = 'PostgreSQL skipped: DATABASE_URL is not reachable.';
      else {
        const name = `atrium_bench_breakdown_${process.pid}_${Date.now()}`;
        await admin.query(`create database ${name}`);
        cleanups.push(async () => {
          await admin.query(`drop database if exists ${name} with (force)`);
          await admin.end();
        });
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        const connected = await setUp(url.toString());
        cleanups.push(() => connected.instance.close());
        await databasePieces('connected (PostgreSQL)', connected.instance, connected.token);
        connectedNote = '';
      }
    }

    await measureAll();
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }

  const loadAfter = load();
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
    loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: compare the rows with each other, not with other runs**' : ''
  }.`;
  console.log(`\n  ${loadNote}`);
  appendResults(
    '`GET /api/v1/me` breakdown (per call, in-process, sequential)',
    [
      `Each piece run back to back, one call at a time, in one process (no network, no concurrency), for ${BUDGET_MS / ROUNDS} ms in each of ${ROUNDS} ` +
        'rounds that take all pieces in turn, after a warm-up; the lowest round is shown (other work on the machine only ever adds). ' +
        "CPU is this process's CPU time (all threads) per call, the column to read; for PostgreSQL the server's own work is not in it " +
        '(it is in the wall column, with the round trip). Middleware rows are a bare Hono app plus that one middleware, so their cost ' +
        'is the row minus the bare row.',
      '',
      table(
        ['group', 'piece', 'CPU µs per call', 'wall µs per call'],
        pieces.map((p) => [p.group, p.name.replace(/^ {2}/, '↳ '), Math.min(...p.cpu).toFixed(1), Math.min(...p.wall).toFixed(1)]),
      ),
      '',
      [connectedNote, loadNote].filter(Boolean).join(' '),
    ].join('\n'),
  );
};

await main();
