/**
 * Server-added time to first token (PostgreSQL only; needs DATABASE_URL). Three processes:
 * this one (the client), the fake OpenAI-compatible model server (servers/fake-openai.ts)
 * and Atrium (servers/chat-atrium.ts: createApp on @hono/node-server, `gpt-4o-mini` (the fake) through
 * the official openai client). The assistant answers from a collection of 10 000 synthetic
 * chunks (local-hash-v1, hybrid retrieval, default topK), loaded as search-latency does.
 *
 * For each question, in one run, one at a time and in alternating order:
 * (a) the fake model's own TTFT: this client POSTs to the fake directly, streaming, with the
 *     very body Atrium sent it for that question (recorded in a first pass, which is also the
 *     warm-up), until the first chunk with text;
 * (b) TTFT through Atrium: POST /api/v1/assistants/{id}/chat until the first `delta` event.
 * The server-added time is (b) − (a) per question. The breakdown: the client's arrival
 * times of `start` (HTTP, auth, access checks, the conversation written) and `references`
 * (retrieval) events, and Atrium's own `done.timings` (retrievalMs, firstTokenMs).
 * An assistant without knowledge is measured the same way for context (no retrieval).
 * Goal: p50 of (b) − (a) ≤ 15 ms.
 *
 * Then, in this process, the pieces of retrieval for the same questions (embedding, the
 * repository's vector and keyword searches, `retrieve` hybrid), to say where its time goes.
 *
 * Knobs: BENCH_TTFT_CHATS (200), BENCH_TTFT_WARMUP (30), BENCH_TTFT_CHUNKS (10000),
 * BENCH_TTFT_FIRST_CHUNK_MS (0: the fake's delay before its first chunk), BENCH_CPU_PROF=1
 * (a .cpuprofile of the Atrium server in bench/.profiles/, with the measured windows beside
 * it for profile-summary.ts), BENCH_QUIET_WAIT_S (600: how long to wait for load < 1).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { retrieve } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { fitContext } from '../packages/core/src/chat/context-budget.js';
import { chatModelSpecFor } from '../packages/core/src/chat/model-catalog.js';
import { queryTerms } from '../packages/core/src/retrieval/query-terms.js';
import { countTokens } from '../packages/core/src/retrieval/tokens.js';
import { recordResult, BENCH_JWT_SECRET, cleanEnv, cpuMsOf, load, nowUs, PROFILE_DIR, stop, table, tempDir, verdict } from './lib/common.js';
import {
  clientAgent,
  codeLine,
  firstEvent,
  firstOpenAIToken,
  loadLine,
  loginAs,
  packagesFingerprint,
  pct,
  postSse,
  prepareChatDatabase,
  questionMix,
  waitForQuiet,
  type SseResult,
} from './lib/chat.js';
import { FAKE_API_KEY, FAKE_MODEL, startIpcHelper, type ServerStats } from './lib/ipc.js';
import { backendCpu, fmt, pgDatabase, reachable } from './lib/knowledge.js';

const CHATS = Number(process.env.BENCH_TTFT_CHATS ?? 200);
const WARMUP = Number(process.env.BENCH_TTFT_WARMUP ?? 30);
const TOTAL = Number(process.env.BENCH_TTFT_CHUNKS ?? 10_000);
const FIRST_CHUNK_MS = Number(process.env.BENCH_TTFT_FIRST_CHUNK_MS ?? 0);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const BARE_CHATS = Math.min(CHATS, Math.max(50, Math.round(CHATS / 2)));
const GOAL_P50_MS = 15;
const ANSWER = 'Employees receive 28 days of paid annual leave per calendar year [1]. Unused leave can be carried over until the end of March [2].';

interface Pair {
  question: string;
  direct: number;
  atrium: number;
  diff: number;
  startAt: number;
  referencesAt: number;
  headersAt: number;
  totalAt: number;
  directTotalAt: number;
  retrievalMs: number;
  firstTokenMs: number;
  references: number;
}

const main = async () => {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl || !(await reachable(adminUrl))) {
    console.log(`chat-ttft: skipped, ${adminUrl ? 'DATABASE_URL is not reachable' : 'DATABASE_URL is not set'} (PostgreSQL only).`);
    return;
  }
  const loadBefore = load().oneMinute;
  const codeBefore = packagesFingerprint();
  console.log(`chat-ttft: ${CHATS} chats (+ ${BARE_CHATS} without knowledge) over ${TOTAL} chunks, warm-up ${WARMUP}`);
  const db = await pgDatabase(adminUrl, 'chat_ttft');
  const helpers: { child: import('node:child_process').ChildProcess }[] = [];
  try {
    // --- set-up (not timed) ------------------------------------------------------------------
    const setup = await createAtrium({ databaseUrl: db.url, dataDir: tempDir('chat-ttft'), bcryptCost: 4, jwtSecret: BENCH_JWT_SECRET, runJobs: false });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const prepared = await prepareChatDatabase(setup, client, TOTAL).finally(async () => {
      await client.end();
      await setup.close();
    });
    console.log(`    ${prepared.loadNote}`);

    const behavior = { type: 'answer', text: ANSWER, firstChunkDelayMs: FIRST_CHUNK_MS, chunkDelayMs: 0 };
    const fake = await startIpcHelper<{ url: string; pid: number }>(path.join('servers', 'fake-openai.ts'), cleanEnv({ BENCH_FAKE_BEHAVIOR: JSON.stringify(behavior) }));
    helpers.push(fake);
    const server = await startIpcHelper<{ port: number; pid: number; driver: string }>(
      path.join('servers', 'chat-atrium.ts'),
      cleanEnv({ BENCH_DATABASE_URL: db.url, BENCH_FAKE_URL: fake.info.url, BENCH_JWT_SECRET: BENCH_JWT_SECRET }),
      CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
    );
    if (CPU_PROF) mkdirSync(PROFILE_DIR, { recursive: true });
    const profileWindows: { startUs: number; endUs: number }[] = [];
    helpers.push(server);
    const base = `http://127.0.0.1:${server.info.port}`;
    const token = await loginAs(base, prepared.email);
    const agent = clientAgent();

    const atriumChat = async (assistantId: string, question: string): Promise<SseResult> =>
      postSse(agent, `${base}/api/v1/assistants/${assistantId}/chat`, { authorization: `Bearer ${token}` }, JSON.stringify({ message: question }));
    const directChat = (body: unknown): Promise<SseResult> =>
      postSse(agent, `${fake.info.url}/chat/completions`, { authorization: `Bearer ${FAKE_API_KEY}` }, JSON.stringify(body));

    const errors: string[] = [];
    const checkAtrium = (r: SseResult, question: string) => {
      const done = firstEvent(r, 'done');
      const error = firstEvent(r, 'error');
      if (r.status !== 200 || !done || error || !firstEvent(r, 'delta')) {
        errors.push(`"${question}": ${r.status} ${error?.data ?? r.body.slice(0, 200)}${done ? '' : ' (no done)'}`);
        return null;
      }
      return JSON.parse(done.data) as { timings: { retrievalMs: number; firstTokenMs: number | null; totalMs: number } };
    };

    /** Every question once through Atrium: the warm-up, and the bodies the fake received for them. */
    const record = async (assistantId: string, questions: string[]) => {
      await fake.ask('bodies');
      for (const q of questions) checkAtrium(await atriumChat(assistantId, q), q);
      const bodies = await fake.ask<{ messages?: { role: string; content: unknown }[] }[]>('bodies');
      if (bodies.length !== questions.length) throw new Error(`expected ${questions.length} upstream requests, the fake saw ${bodies.length}`);
      bodies.forEach((body, i) => {
        const last = body.messages?.at(-1)?.content;
        if (typeof last !== 'string' || !last.includes(questions[i]!)) throw new Error(`upstream request ${i} does not carry its question`);
      });
      return bodies;
    };

    const measure = async (label: string, assistantId: string, questions: string[], bodies: unknown[]) => {
      const quiet = await waitForQuiet(label);
      const loadAt = load().oneMinute;
      const pgCpu = backendCpu(adminUrl, db.name);
      await pgCpu.start();
      const serverCpu0 = cpuMsOf(server.info.pid) ?? NaN;
      const startUs = nowUs();
      const pairs: Pair[] = [];
      for (let i = 0; i < questions.length; i++) {
        let direct: SseResult;
        let atrium: SseResult;
        if (i % 2 === 0) {
          direct = await directChat(bodies[i]);
          atrium = await atriumChat(assistantId, questions[i]!);
        } else {
          atrium = await atriumChat(assistantId, questions[i]!);
          direct = await directChat(bodies[i]);
        }
        if (i % 25 === 24) await pgCpu.sample();
        const done = checkAtrium(atrium, questions[i]!);
        const directToken = firstOpenAIToken(direct);
        if (!done || !directToken || direct.status !== 200) {
          if (direct.status !== 200 || !directToken) errors.push(`direct "${questions[i]}": ${direct.status} ${direct.body.slice(0, 200)}`);
          continue;
        }
        const delta = firstEvent(atrium, 'delta')!;
        pairs.push({
          question: questions[i]!,
          direct: directToken.at,
          atrium: delta.at,
          diff: delta.at - directToken.at,
          headersAt: atrium.headersAt,
          startAt: firstEvent(atrium, 'start')!.at,
          referencesAt: firstEvent(atrium, 'references')!.at,
          totalAt: atrium.endAt,
          directTotalAt: direct.endAt,
          retrievalMs: done.timings.retrievalMs,
          firstTokenMs: done.timings.firstTokenMs ?? NaN,
          references: (JSON.parse(firstEvent(atrium, 'references')!.data) as { references: unknown[] }).references.length,
        });
        if ((i + 1) % 50 === 0) console.log(`      ${label}: ${i + 1}/${questions.length}`);
      }
      profileWindows.push({ startUs, endUs: nowUs() });
      const serverCpuMs = ((cpuMsOf(server.info.pid) ?? NaN) - serverCpu0) / questions.length;
      const pgCpuMs = (await pgCpu.elapsed()) / questions.length;
      await pgCpu.close();
      return { label, pairs, serverCpuMs, pgCpuMs, quiet: quiet.quiet, loadAt, loadEnd: load().oneMinute, waitedS: quiet.waitedS };
    };

    // --- warm-up and recording ----------------------------------------------------------------
    const questions = questionMix(CHATS, TOTAL);
    const warmQuestions = questionMix(WARMUP, TOTAL, 991, false);
    console.log('    warm-up');
    for (const q of warmQuestions) checkAtrium(await atriumChat(prepared.knowledge.id, q), q);
    for (const q of warmQuestions.slice(0, 10)) checkAtrium(await atriumChat(prepared.bare.id, q), q);
    const warmBodies = await fake.ask<unknown[]>('bodies');
    for (const body of warmBodies) await directChat(body);
    console.log('    recording the upstream requests (one pass over the questions)');
    const knowledgeBodies = await record(prepared.knowledge.id, questions);
    const bareQuestions = questions.slice(0, BARE_CHATS);
    const bareBodies = await record(prepared.bare.id, bareQuestions);
    const promptChars = knowledgeBodies.map((b) => JSON.stringify(b).length);
    errors.length = 0;

    // --- measured ------------------------------------------------------------------------------
    console.log('    measuring');
    const withKnowledge = await measure('knowledge', prepared.knowledge.id, questions, knowledgeBodies);
    const withoutKnowledge = await measure('no knowledge', prepared.bare.id, bareQuestions, bareBodies);
    const finalStats = await server.ask<ServerStats>('stats');
    if (CPU_PROF) writeFileSync(path.join(PROFILE_DIR, `${server.info.pid}.windows.json`), JSON.stringify(profileWindows));

    // --- where retrieval's time goes: its pieces, in this process, for the same questions ------
    console.log('    retrieval pieces (in-process)');
    const pieces = await retrievalPieces(db.url, prepared.tenantId, prepared.collectionId, questions, prepared.knowledge.instructions);
    const loadAfter = load().oneMinute;

    // --- report --------------------------------------------------------------------------------
    const row = (name: string, values: number[], note = '') => {
      const s = pct(values);
      return [name, fmt(s.p50), fmt(s.p95), fmt(s.p99), fmt(s.mean), note];
    };
    const breakdown = (r: typeof withKnowledge) => {
      const p = r.pairs;
      return [
        row('(a) fake model alone: TTFT, client → fake directly', p.map((x) => x.direct)),
        row('(b) through Atrium: TTFT (first `delta` event)', p.map((x) => x.atrium)),
        row('**(b) − (a) per chat: server-added time**', p.map((x) => x.diff), 'goal p50 ≤ 15 ms'),
        row('client: response headers', p.map((x) => x.headersAt), 'HTTP, auth, validation, access, conversation + question written'),
        row('client: `start` event', p.map((x) => x.startAt)),
        row('client: `references` − `start`', p.map((x) => x.referencesAt - x.startAt), 'retrieval (+ context budget)'),
        row('client: first `delta` − `references`', p.map((x) => x.atrium - x.referencesAt), 'model leg: openai client → fake → first token'),
        row('  model leg − (a)', p.map((x) => x.atrium - x.referencesAt - x.direct), 'what the upstream call adds over a bare client'),
        row('`done.timings.retrievalMs`', p.map((x) => x.retrievalMs), "core: from chat() start to references (access, conversation write, retrieval)"),
        row('`done.timings.firstTokenMs`', p.map((x) => x.firstTokenMs), 'core: from chat() start to the first token'),
        row('`firstTokenMs − retrievalMs`', p.map((x) => x.firstTokenMs - x.retrievalMs), 'core: the model leg'),
        row('(b) − `firstTokenMs`', p.map((x) => x.atrium - x.firstTokenMs), 'outside core: HTTP in, middleware, auth, SSE out'),
        row('whole answer through Atrium (to the end of the stream)', p.map((x) => x.totalAt), 'stored after the last token, before `done`'),
        row('whole answer from the fake directly', p.map((x) => x.directTotalAt)),
      ];
    };
    const diffKnowledge = pct(withKnowledge.pairs.map((p) => p.diff));
    const diffBare = pct(withoutKnowledge.pairs.map((p) => p.diff));
    const pass = withKnowledge.pairs.length >= 100 && diffKnowledge.p50 <= GOAL_P50_MS && errors.length === 0;
    const header = ['measure (ms)', 'p50', 'p95', 'p99', 'mean', 'note'];
    const runLine = (r: typeof withKnowledge) =>
      `${r.pairs.length} chats measured; Atrium server CPU ${fmt(r.serverCpuMs)} ms/chat, PostgreSQL backends ${fmt(r.pgCpuMs)} ms/chat; ` +
      `load ${fmt(r.loadAt)} at the start (${r.quiet ? `quiet after waiting ${fmt(r.waitedS, 0)} s` : `**still ≥ 1.0 after waiting ${fmt(r.waitedS, 0)} s**`}), ${fmt(r.loadEnd)} at the end.`;
    const refs = pct(withKnowledge.pairs.map((p) => p.references));
    const summary = `server-added TTFT p50 ${fmt(diffKnowledge.p50)} ms (p95 ${fmt(diffKnowledge.p95)}, p99 ${fmt(diffKnowledge.p99)}): ${verdict(pass)}`;
    console.log(`    ${summary}`);
    console.log(`    without knowledge: p50 ${fmt(diffBare.p50)} ms, p95 ${fmt(diffBare.p95)} ms`);
    if (errors.length) console.log(`    errors:\n      ${errors.slice(0, 10).join('\n      ')}`);

    const body = [
      `Three processes on this machine: the client (this script, \`node:http\`, keep-alive), the fake OpenAI-compatible model ` +
        `(\`startFakeOpenAI\`, its own process; answers ${ANSWER.split(' ').length} one-word chunks, first chunk after ${FIRST_CHUNK_MS} ms, no delay between chunks) ` +
        `and Atrium (\`createApp\` on @hono/node-server, \`createAtrium\` on PostgreSQL with its default pool of 10, completion model \`gpt-4o-mini\` (the fake) through the official openai client, maxRetries 0; logger silent). ` +
        `The assistant (published, hybrid retrieval, topK 6, 40 candidates per retriever) answers from one collection: ${prepared.loadNote}. ` +
        `Questions: the 88 labelled fixture questions, then short queries over the synthetic corpus (${questions.length} in all; upstream request bodies ` +
        `${fmt(pct(promptChars).p50 / 1024, 1)} KB median, ${fmt(refs.mean, 1)} references per answer on average). Warm-up: ${WARMUP} chats, then one recording pass over every question. ` +
        `Measured one chat at a time, alternating which of (a) and (b) goes first; (a) sends the fake exactly the body Atrium sent it for the same question. ` +
        `Every \`delta\` and chunk is timestamped when its bytes arrive at the client.`,
      '',
      `**With knowledge (${TOTAL} chunks, hybrid)** — ${runLine(withKnowledge)}`,
      '',
      table(header, breakdown(withKnowledge)),
      '',
      `**Without knowledge (context: the same assistant with no collection, so no retrieval)** — ${runLine(withoutKnowledge)}`,
      '',
      table(header, breakdown(withoutKnowledge)),
      '',
      `Verdict (p50 of (b) − (a) ≤ ${GOAL_P50_MS} ms over ≥ 100 chats with hybrid retrieval over ${TOTAL} chunks, no errors): **${verdict(pass)}** ` +
        `(p50 ${fmt(diffKnowledge.p50)} ms, p95 ${fmt(diffKnowledge.p95)} ms, p99 ${fmt(diffKnowledge.p99)} ms; without retrieval p50 ${fmt(diffBare.p50)} ms). ` +
        `Anchors: LiteLLM reports 3–12 ms median proxy overhead, Portkey 20–40 ms (neither retrieves).` +
        (errors.length ? ` Errors: ${errors.length} (${errors.slice(0, 3).join('; ')}).` : ' No errors.'),
      '',
      `Retrieval's pieces (and the context budget, which runs between retrieval and the model call) for the same questions, timed in the benchmark process (its own \`createAtrium\` on the same database, one call at a time, ` +
        `after one unmeasured pass; wall time, round trips to PostgreSQL included). The \`OR\` of all of a question's words matches ` +
        `${fmt(pieces.matchShare.p50 * 100, 1)} % of the collection's chunks for the median question (p95 ${fmt(pieces.matchShare.p95 * 100, 1)} %): what the keyword half ranks when no term is left out.`,
      '',
      table(['piece (ms)', 'p50', 'p95', 'p99', 'mean', 'note'], pieces.rows.map(([name, values, note]) => row(name, values, note))),
      '',
      `Atrium server at the end: RSS ${fmt(finalStats.memory.rss / 1024 / 1024, 0)} MiB, heap used ${fmt(finalStats.memory.heapUsed / 1024 / 1024, 0)} MiB. ${os.cpus().length} CPUs.`,
      '',
      codeLine(codeBefore, packagesFingerprint()),
    '',
    loadLine(loadBefore, loadAfter, [withKnowledge.quiet, withoutKnowledge.quiet]),
    ].join('\n');
    console.log(`\n${body}\n`);
    recordResult(
      `chat time to first token (PostgreSQL, ${TOTAL} chunks, hybrid)`,
      [
        {
          goal: `server-added time to first token, p50 ≤ ${GOAL_P50_MS} ms (hybrid over ${TOTAL} chunks)`,
          result: `p50 ${fmt(diffKnowledge.p50)} ms, p95 ${fmt(diffKnowledge.p95)} ms`,
          verdict: verdict(pass),
        },
      ],
      body,
    );
    agent.destroy();
  } finally {
    for (const helper of helpers.reverse()) await stop(helper.child, 5_000);
    await db.drop();
  }
};

/** Times retrieval's pieces in this process, one call at a time, over the chat questions. */
const retrievalPieces = async (databaseUrl: string, tenantId: string, collectionId: string, questions: string[], instructions: string) => {
  const instance = await createAtrium({ databaseUrl, dataDir: tempDir('chat-ttft-pieces'), jwtSecret: BENCH_JWT_SECRET, runJobs: false });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { core } = instance;
    const repos = core.context.store.forTenant(tenantId);
    const [collection] = await repos.collections.getMany([collectionId]);
    if (!collection) throw new Error('collection not found');
    const embedder = core.context.embeddings.get(collection.embeddingModel)!;
    const limit = 40;
    const timed = async (run: () => Promise<unknown>) => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };
    const names = [
      ['`collections.getMany` (the assistant\'s collections)', 'one query'],
      ['embedding the question (local-hash-v1)', 'CPU only'],
      ['`repos.chunks.searchVector`, 40 candidates', 'vector mode: sizes the filter from the documents’ chunk counts, then an exact scan (few rows) or HNSW at ef_search 400 (ADR 0014, 0015); prepared'],
      ['`repos.chunks.searchKeyword`, 40 candidates', 'BM25 over the postings (ADR 0024); prepared'],
      ["`retrieve(..., 'hybrid')`, topK 6", "what chat calls: BM25's candidates (with the best 5 hits' vectors), each scored by its exact cosine to the question moved towards those hits, plus 20 quick HNSW neighbours of that vector, fused by score (ADR 0026, 0040)"],
      ['`fitContext` (context budget) over those 6 hits', 'cl100k token counting of instructions, question, each source, then the whole prompt again'],
      ['  `countTokens` of the assembled prompt alone', 'the second count of every source'],
    ] as const;
    const spec = chatModelSpecFor(FAKE_MODEL);
    const values: number[][] = names.map(() => []);
    for (let pass = 0; pass < 2; pass++) {
      for (const question of questions) {
        const [vector] = await embedder.embed([question]);
        const measured = [
          await timed(() => repos.collections.getMany([collectionId])),
          await timed(() => embedder.embed([question])),
          await timed(() => repos.chunks.searchVector({ collectionIds: [collectionId], dimensions: embedder.dimensions, embedding: vector!, limit })),
          await timed(() => repos.chunks.searchKeyword({ collectionIds: [collectionId], query: question, limit })),
          await timed(() => retrieve(repos, core.context.embeddings, { collections: [collection], query: question, topK: 6, mode: 'hybrid' })),
        ];
        const hits = await retrieve(repos, core.context.embeddings, { collections: [collection], query: question, topK: 6, mode: 'hybrid' });
        const budget = { instructions, history: [], question, hits, contextWindow: spec.contextWindow, reserveForAnswer: spec.defaultMaxOutputTokens };
        let started = performance.now();
        const fitted = fitContext(budget);
        measured.push(performance.now() - started);
        started = performance.now();
        for (const m of fitted.messages) countTokens(m.content);
        measured.push(performance.now() - started);
        if (pass === 1) measured.forEach((ms, i) => values[i]!.push(ms));
      }
    }
    const { rows: counted } = await client.query<{ n: string }>('select count(*) as n from chunks where collection_id = $1', [collectionId]);
    const total = Number(counted[0]!.n);
    const shares: number[] = [];
    for (const question of questions) {
      const words = queryTerms(question).filter((t) => /^[\p{L}\p{N}]+$/u.test(t));
      if (words.length === 0) continue;
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from chunks where collection_id = $1 and search_vector @@ to_tsquery('english', $2)`,
        [collectionId, words.join(' | ')],
      );
      shares.push(Number(rows[0]!.n) / total);
    }
    return { rows: names.map(([name, note], i) => [name, values[i]!, note] as const), matchShare: pct(shares) };
  } finally {
    await client.end();
    await instance.close();
  }
};

await main();
