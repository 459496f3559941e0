/**
 * Concurrent streaming chats: BENCH_CONC_CHATS (200) chats fired at once at Atrium's real
 * HTTP server, on PostgreSQL (DATABASE_URL) and on embedded PGlite (context; off with
 * BENCH_CONC_PGLITE=0). Three processes: this one (the client: `node:http`, keep-alive, no
 * socket cap), the fake OpenAI-compatible model (servers/fake-openai.ts) streaming 40 chunks
 * 20 ms apart, and Atrium (servers/chat-atrium.ts, the app on @hono/node-server, `gpt-4o-mini` (the fake)
 * through the official openai client with maxRetries 0), whose memory, PostgreSQL pool and
 * event-loop delay are sampled in-process every 20 ms and read over IPC.
 *
 * The assistant answers from a collection of 10 000 synthetic chunks (BENCH_CONC_CHUNKS) (hybrid, topK 6),
 * loaded as search-latency does. After a warm-up, each round waits for a quiet machine,
 * collects garbage, then fires every chat in the same tick and reads every stream to its
 * end. An error is a non-200 status, an `error` event, a stream without `done` (or whose
 * text is not the model's answer), or a client exception. For comparison, the same number
 * of streams is fired at the fake directly with the same request bodies (what the client
 * and the fake manage on this machine without Atrium). Verdict: PASS iff zero errors.
 *
 * Knobs: BENCH_CONC_CHATS (200), BENCH_CONC_ROUNDS (2), BENCH_CONC_CHUNKS (10000),
 * BENCH_CONC_STREAM_CHUNKS (40), BENCH_CONC_CHUNK_MS (20), BENCH_CONC_FIRST_CHUNK_MS (0),
 * BENCH_CONC_PGLITE (1), BENCH_QUIET_WAIT_S (600), BENCH_CPU_PROF=1 (a .cpuprofile of each
 * Atrium server in bench/.profiles/, with the bursts as measured windows for profile-summary.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createAtrium, type AtriumInstance } from '@atrium/core/node';
import { recordResult, BENCH_JWT_SECRET, cleanEnv, cpuMsOf, load, nowUs, PROFILE_DIR, stop, table, tempDir, verdict } from './lib/common.js';
import {
  clientAgent,
  codeLine,
  firstEvent,
  firstOpenAIToken,
  loadLine,
  loginAs,
  packagesFingerprint,
  mib,
  pct,
  postSse,
  prepareChatDatabase,
  questionMix,
  waitForQuiet,
  type Queryable,
  type SseResult,
} from './lib/chat.js';
import { FAKE_API_KEY, startIpcHelper, type ServerStats } from './lib/ipc.js';
import { backendCpu, fmt, pgDatabase, reachable } from './lib/knowledge.js';

const CHATS = Number(process.env.BENCH_CONC_CHATS ?? 200);
const ROUNDS = Number(process.env.BENCH_CONC_ROUNDS ?? 2);
const TOTAL = Number(process.env.BENCH_CONC_CHUNKS ?? 10_000);
const STREAM_CHUNKS = Number(process.env.BENCH_CONC_STREAM_CHUNKS ?? 40);
const CHUNK_MS = Number(process.env.BENCH_CONC_CHUNK_MS ?? 20);
const FIRST_CHUNK_MS = Number(process.env.BENCH_CONC_FIRST_CHUNK_MS ?? 0);
const WITH_PGLITE = process.env.BENCH_CONC_PGLITE !== '0';
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const WARMUP = 20;
// STREAM_CHUNKS words: the fake sends one word per chunk.
const WORDS = ['Leave', 'is', 'granted', 'per', 'calendar', 'year', 'as', 'stated', '[1].'];
const ANSWER = Array.from({ length: STREAM_CHUNKS }, (_, i) => WORDS[i % WORDS.length]!).join(' ');

interface Burst {
  label: string;
  chats: number;
  ok: number;
  errors: string[];
  wallMs: number;
  deltas: number;
  ttft: number[];
  total: number[];
  serverCpuMs?: number;
  pgCpuMs?: number;
  before?: ServerStats;
  peak?: ServerStats;
  after?: ServerStats;
  afterGc?: ServerStats;
  pgConnectionsPeak?: number;
  load: number;
  quiet: boolean;
}

/** Fires `count` requests in one tick and waits for all of them. */
const burst = async (count: number, send: (i: number) => Promise<SseResult>, check: (r: SseResult, i: number) => string | null) => {
  const started = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) => send(i)));
  const wallMs = performance.now() - started;
  const errors: string[] = [];
  let deltas = 0;
  const ttft: number[] = [];
  const total: number[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'rejected') {
      errors.push(`#${i}: client exception: ${s.reason instanceof Error ? s.reason.message : String(s.reason)}`);
      return;
    }
    const problem = check(s.value, i);
    if (problem) {
      errors.push(`#${i}: ${problem}`);
      return;
    }
    deltas += s.value.events.filter((e) => e.event === 'delta' || (e.event === 'message' && e.data !== '[DONE]' && /"content":"[^"]/.test(e.data))).length;
    const first = firstEvent(s.value, 'delta') ?? firstOpenAIToken(s.value);
    if (first) ttft.push(first.at);
    total.push(s.value.endAt);
  });
  return { wallMs, errors, deltas, ttft, total, ok: count - errors.length };
};

const checkAtrium = (r: SseResult): string | null => {
  if (r.status !== 200) return `status ${r.status}: ${r.body.slice(0, 200)}`;
  const error = firstEvent(r, 'error');
  if (error) return `error event: ${error.data}`;
  const done = firstEvent(r, 'done');
  if (!done) return 'no done event';
  const finish = (JSON.parse(done.data) as { finishReason?: string }).finishReason;
  if (finish !== 'stop') return `finishReason ${finish}`;
  const text = r.events
    .filter((e) => e.event === 'delta')
    .map((e) => (JSON.parse(e.data) as { text: string }).text)
    .join('');
  if (text !== ANSWER) return `answer differs (${text.length} of ${ANSWER.length} characters)`;
  return null;
};

const checkDirect = (r: SseResult): string | null => {
  if (r.status !== 200) return `status ${r.status}: ${r.body.slice(0, 200)}`;
  if (r.events.at(-1)?.data !== '[DONE]') return 'no [DONE]';
  return null;
};

interface Target {
  name: 'PostgreSQL' | 'PGlite';
  /** Server env: where the database is. */
  env: Record<string, string>;
  adminUrl?: string;
  dbName?: string;
  open(): Promise<{ instance: AtriumInstance; sql: Queryable; close(): Promise<void> }>;
  drop(): Promise<void>;
  maintenanceWorkMem: string;
}

const runTarget = async (target: Target) => {
  console.log(`  ${target.name}`);
  const setup = await target.open();
  const prepared = await prepareChatDatabase(setup.instance, setup.sql, TOTAL, target.maintenanceWorkMem).finally(() => setup.close());
  console.log(`    ${prepared.loadNote}`);

  const behavior = { type: 'answer', text: ANSWER, chunkDelayMs: CHUNK_MS, firstChunkDelayMs: FIRST_CHUNK_MS };
  const fake = await startIpcHelper<{ url: string; pid: number }>(path.join('servers', 'fake-openai.ts'), cleanEnv({ BENCH_FAKE_BEHAVIOR: JSON.stringify(behavior) }));
  const server = await startIpcHelper<{ port: number; pid: number; driver: string }>(
    path.join('servers', 'chat-atrium.ts'),
    cleanEnv({ ...target.env, BENCH_FAKE_URL: fake.info.url, BENCH_JWT_SECRET: BENCH_JWT_SECRET, BENCH_SAMPLE_MS: '20' }),
    ['--expose-gc', ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
  );
  if (CPU_PROF) mkdirSync(PROFILE_DIR, { recursive: true });
  const profileWindows: { startUs: number; endUs: number }[] = [];
  const agent = clientAgent();
  try {
    const base = `http://127.0.0.1:${server.info.port}`;
    const token = await loginAs(base, prepared.email);
    const questions = questionMix(CHATS, TOTAL);
    const chat = (question: string) =>
      postSse(agent, `${base}/api/v1/assistants/${prepared.knowledge.id}/chat`, { authorization: `Bearer ${token}` }, JSON.stringify({ message: question }));

    console.log('    warm-up');
    const warmQuestions = questionMix(WARMUP, TOTAL, 991, false);
    for (let i = 0; i < WARMUP; i += 5) {
      const results = await Promise.all(warmQuestions.slice(i, i + 5).map(chat));
      const bad = results.map(checkAtrium).find(Boolean);
      if (bad) throw new Error(`warm-up chat failed: ${bad}`);
    }
    await fake.ask('bodies');

    const bursts: Burst[] = [];
    let bodies: unknown[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const quiet = await waitForQuiet(`${target.name} round ${round + 1}`);
      await server.ask('gc');
      const before = await server.ask<ServerStats>('stats');
      await server.ask('reset');
      const pgCpu = target.adminUrl ? backendCpu(target.adminUrl, target.dbName!) : null;
      await pgCpu?.start();
      // PostgreSQL connections of the benchmark database, sampled during the burst.
      let connectionsPeak = 0;
      let sampling = true;
      const watcher = target.adminUrl
        ? (async () => {
            const client = new pg.Client({ connectionString: target.adminUrl });
            await client.connect();
            while (sampling) {
              const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [target.dbName]);
              connectionsPeak = Math.max(connectionsPeak, rows[0]!.n);
              await pgCpu?.sample();
              await new Promise((resolve) => setTimeout(resolve, 50));
            }
            await client.end();
          })()
        : Promise.resolve();
      const serverCpu0 = cpuMsOf(server.info.pid) ?? NaN;
      const loadAt = load().oneMinute;
      console.log(`    round ${round + 1}: ${CHATS} chats at once`);
      const startUs = nowUs();
      const result = await burst(CHATS, (i) => chat(questions[i]!), checkAtrium);
      profileWindows.push({ startUs, endUs: nowUs() });
      const serverCpuMs = (cpuMsOf(server.info.pid) ?? NaN) - serverCpu0;
      sampling = false;
      await watcher;
      const peak = await server.ask<ServerStats>('stats');
      const pgCpuMs = pgCpu ? await pgCpu.elapsed() : undefined;
      await pgCpu?.close();
      const after = await server.ask<ServerStats>('stats');
      await server.ask('gc');
      const afterGc = await server.ask<ServerStats>('stats');
      bursts.push({
        label: `Atrium, round ${round + 1}`,
        chats: CHATS,
        ...result,
        serverCpuMs,
        pgCpuMs,
        before,
        peak,
        after,
        afterGc,
        pgConnectionsPeak: target.adminUrl ? connectionsPeak : undefined,
        load: loadAt,
        quiet: quiet.quiet,
      });
      console.log(
        `      ${result.ok}/${CHATS} ok in ${fmt(result.wallMs / 1000)} s; ${result.errors.length} errors${result.errors.length ? `: ${result.errors.slice(0, 3).join('; ')}` : ''}`,
      );
      if (round === 0) {
        bodies = await fake.ask<unknown[]>('bodies');
        // The model alone: the same streams, the same bodies, straight to the fake.
        const quietDirect = await waitForQuiet(`${target.name} fake alone`);
        const loadDirect = load().oneMinute;
        console.log(`    the fake alone: ${CHATS} streams at once`);
        const direct = await burst(
          CHATS,
          (i) => postSse(agent, `${fake.info.url}/chat/completions`, { authorization: `Bearer ${FAKE_API_KEY}` }, JSON.stringify(bodies[i % bodies.length])),
          checkDirect,
        );
        await fake.ask('bodies');
        bursts.push({ label: 'the fake alone (same bodies)', chats: CHATS, ...direct, load: loadDirect, quiet: quietDirect.quiet });
        console.log(`      ${direct.ok}/${CHATS} ok in ${fmt(direct.wallMs / 1000)} s`);
      }
    }
    const fakeStats = await fake.ask<{ requests: number; aborted: number }>('stats');
    if (CPU_PROF) writeFileSync(path.join(PROFILE_DIR, `${server.info.pid}.windows.json`), JSON.stringify(profileWindows));
    return { target: target.name, prepared, bursts, bodiesKb: bodies.length ? JSON.stringify(bodies[0]).length / 1024 : NaN, fakeAborted: fakeStats.aborted };
  } finally {
    agent.destroy();
    await server.ask('close').catch(() => {});
    await stop(server.child, 5_000);
    await stop(fake.child, 5_000);
    await target.drop();
  }
};

const main = async () => {
  const loadBefore = load().oneMinute;
  const codeBefore = packagesFingerprint();
  const idealMs = FIRST_CHUNK_MS + (STREAM_CHUNKS - 1) * CHUNK_MS + CHUNK_MS;
  console.log(`chat-concurrency: ${CHATS} streaming chats at once, ${STREAM_CHUNKS} chunks ${CHUNK_MS} ms apart (≥ ${idealMs} ms a stream), ${TOTAL} chunks of knowledge`);
  const targets: Target[] = [];
  const adminUrl = process.env.DATABASE_URL;
  if (adminUrl && (await reachable(adminUrl))) {
    const db = await pgDatabase(adminUrl, 'chat_conc');
    targets.push({
      name: 'PostgreSQL',
      env: { BENCH_DATABASE_URL: db.url },
      adminUrl,
      dbName: db.name,
      maintenanceWorkMem: '512MB',
      open: async () => {
        const instance = await createAtrium({ databaseUrl: db.url, dataDir: tempDir('chat-conc'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, runJobs: false });
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        return {
          instance,
          sql: client as unknown as Queryable,
          close: async () => {
            await client.end();
            await instance.close();
          },
        };
      },
      drop: () => db.drop(),
    });
  } else console.log(`  PostgreSQL: skipped (${adminUrl ? 'DATABASE_URL is not reachable' : 'DATABASE_URL is not set'})`);
  if (WITH_PGLITE) {
    const dataDir = tempDir('chat-conc-pglite');
    targets.push({
      name: 'PGlite',
      env: { BENCH_DATA_DIR: dataDir },
      maintenanceWorkMem: '64MB',
      open: async () => {
        const instance = await createAtrium({ dataDir, bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, runJobs: false });
        const sql = (instance.database.db as unknown as { $client: Queryable }).$client;
        return { instance, sql, close: () => instance.close() };
      },
      drop: async () => {},
    });
  }

  const runs = [];
  for (const target of targets) runs.push(await runTarget(target));
  const loadAfter = load().oneMinute;
  if (runs.length === 0) return;

  const allErrors = runs.flatMap((r) => r.bursts.filter((b) => b.label.startsWith('Atrium')).flatMap((b) => b.errors));
  const pgRun = runs.find((r) => r.target === 'PostgreSQL');
  const pgErrors = pgRun ? pgRun.bursts.filter((b) => b.label.startsWith('Atrium')).flatMap((b) => b.errors).length : NaN;
  const pass = pgRun !== undefined && pgErrors === 0;

  const sections = runs.map((run) => {
    const throughput = table(
      ['burst', 'ok / chats', 'errors', 'wall s', 'chats/s', 'deltas/s', 'TTFT p50 / p95 / max ms', 'stream p50 / p95 / max ms', 'Atrium CPU s', 'PostgreSQL CPU s', 'load at start'],
      run.bursts.map((b) => {
        const t = pct(b.ttft);
        const d = pct(b.total);
        return [
          b.label,
          `${b.ok} / ${b.chats}`,
          b.label.startsWith('Atrium') ? `**${b.errors.length}**` : String(b.errors.length),
          fmt(b.wallMs / 1000),
          fmt(b.ok / (b.wallMs / 1000), 1),
          fmt(b.deltas / (b.wallMs / 1000), 0),
          `${fmt(t.p50, 0)} / ${fmt(t.p95, 0)} / ${fmt(t.max, 0)}`,
          `${fmt(d.p50, 0)} / ${fmt(d.p95, 0)} / ${fmt(d.max, 0)}`,
          b.serverCpuMs === undefined ? '' : fmt(b.serverCpuMs / 1000),
          b.pgCpuMs === undefined ? '' : fmt(b.pgCpuMs / 1000),
          `${fmt(b.load)}${b.quiet ? '' : ' (busy)'}`,
        ];
      }),
    );
    const atriumBursts = run.bursts.filter((b) => b.before);
    const memory = table(
      ['burst', 'RSS before / peak / after / after GC', 'heap used before / peak / after / after GC', 'external peak', 'event-loop delay p99 / max ms', 'pool: max, peak open, peak waiting', 'PostgreSQL connections (peak)'],
      atriumBursts.map((b) => [
        b.label,
        `${mib(b.before!.memory.rss)} / ${mib(b.peak!.peak.rss)} / ${mib(b.after!.memory.rss)} / ${mib(b.afterGc!.memory.rss)}`,
        `${mib(b.before!.memory.heapUsed)} / ${mib(b.peak!.peak.heapUsed)} / ${mib(b.after!.memory.heapUsed)} / ${mib(b.afterGc!.memory.heapUsed)}`,
        mib(b.peak!.peak.external),
        b.peak!.eventLoop ? `${fmt(b.peak!.eventLoop.p99, 1)} / ${fmt(b.peak!.eventLoop.max, 1)}` : '',
        b.peak!.pool ? `${b.peak!.pool.max}, ${b.peak!.pool.peakTotal}, ${b.peak!.pool.peakWaiting}` : 'n/a (PGlite: one connection)',
        b.pgConnectionsPeak === undefined ? '' : String(b.pgConnectionsPeak),
      ]),
    );
    const errors = run.bursts.flatMap((b) => b.errors.slice(0, 5).map((e) => `${b.label} ${e}`));
    const samples = atriumBursts.map((b) => b.peak!.samples).join(', ');
    return [
      `**${run.target}** — ${run.prepared.loadNote}. Upstream request bodies ${fmt(run.bodiesKb, 1)} KB; upstream requests the fake saw cut short: ${run.fakeAborted}.`,
      '',
      throughput,
      '',
      `Atrium server memory (\`process.memoryUsage()\` sampled in the server process every 20 ms: ${samples} samples; "before" after a full GC, "after" when the last stream ended, then after a full GC), ` +
        `the PostgreSQL pool (node-postgres, sampled with it) and the event-loop delay (\`monitorEventLoopDelay\`, during the burst):`,
      '',
      memory,
      ...(errors.length ? ['', `First errors: ${errors.join('; ')}`] : []),
    ].join('\n');
  });

  const body = [
    `${CHATS} streaming chats fired in the same tick at Atrium's real HTTP server (the client: this script, \`node:http\` with one keep-alive agent and no socket cap; ` +
      `Atrium: \`createApp\` on @hono/node-server in its own process, completion model \`gpt-4o-mini\` (the fake) through the official openai client, maxRetries 0, logger silent; ` +
      `the fake OpenAI-compatible server in a third process answers ${STREAM_CHUNKS} chunks ${CHUNK_MS} ms apart, first after ${FIRST_CHUNK_MS} ms, so one stream takes at least ${idealMs} ms). ` +
      `Each chat is a new conversation with a different question (the 88 fixture questions, then synthetic ones) to a published assistant over ${TOTAL} chunks (hybrid, topK 6). ` +
      `Every stream is read to its end; an error is a non-200, an \`error\` event, no \`done\` or a \`done\` whose finishReason is not \`stop\`, an answer whose text differs from the model's, or a client exception. ` +
      `Warm-up: ${WARMUP} chats, 5 at a time. "chats/s" and "deltas/s" are completed chats and \`delta\` events (OpenAI chunks for the fake alone) over the burst's wall time. ` +
      `"The fake alone" fires the same number of streams with the same request bodies straight at the fake: what the client and the fake manage on this machine without Atrium.`,
    '',
    ...sections.flatMap((s) => [s, '']),
    `Verdict (${CHATS} simultaneous streaming chats on PostgreSQL, zero errors): **${verdict(pass)}**` +
      (pgRun ? ` (${pgErrors} errors over ${ROUNDS} rounds on PostgreSQL` : ' (PostgreSQL not run') +
      (runs.some((r) => r.target === 'PGlite') ? `; PGlite, context: ${runs.find((r) => r.target === 'PGlite')!.bursts.filter((b) => b.label.startsWith('Atrium')).flatMap((b) => b.errors).length} errors).` : ').'),
    '',
    codeLine(codeBefore, packagesFingerprint()),
    '',
    loadLine(loadBefore, loadAfter, runs.flatMap((r) => r.bursts.map((b) => b.quiet))),
  ].join('\n');
  console.log(`\n${body}\n`);
  if (allErrors.length) console.log(`errors: ${allErrors.length}`);
  recordResult(
    `${CHATS} concurrent streaming chats (${runs.map((r) => r.target).join(', ')}; ${TOTAL} chunks, hybrid)`,
    [
      {
        goal: `${CHATS} simultaneous streaming chats on PostgreSQL, zero errors`,
        result: pgRun ? `${pgErrors} errors over ${ROUNDS} rounds` : 'PostgreSQL not run',
        verdict: verdict(pass),
      },
    ],
    body,
  );
};

await main();
