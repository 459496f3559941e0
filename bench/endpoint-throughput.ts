/**
 * Throughput of authenticated `GET /api/v1/me` and of the widget's public `GET
 * /api/v1/widget/config` (every page view of a site with the widget) against a bare Hono
 * hello-world, measured in the same run. Each server runs in its own process; autocannon runs in this one. Rounds
 * alternate (bare, atrium, atrium, bare, ...) so that drift in the machine hits both alike.
 *
 * Embedded mode (PGlite) always; connected mode too when DATABASE_URL is set and reachable
 * (a dedicated database is created for the run and dropped afterwards).
 *
 * Knobs (environment): BENCH_CONNECTIONS (10), BENCH_DURATION_S (10), BENCH_WARMUP_S (2),
 * BENCH_ROUNDS (2 per server), BENCH_CPU_PROF=1 (write a .cpuprofile of the Atrium server
 * to bench/.profiles/), BENCH_PIN=1 (autocannon on CPU 0, both servers on CPU 1).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { recordResult, atriumNodeFlags, BENCH_DIR, cleanEnv, cpuMsOf, freePort, load, mean, nowUs, pinning, pinSelf, PROFILE_DIR, startHelper, stop, table, tempDir } from './lib/common.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
const ADMIN_EMAIL = 'bench@example.com';
const ADMIN_PASSWORD = 'bench-password-0123';

type TargetName = 'bare' | 'atrium' | 'widget' | 'healthz';

interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  pid: number | undefined;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time per request, µs (Linux only). */
  cpuUsPerReq: number | undefined;
  requests: number;
  bad: number;
}

const hit = (target: Target, seconds: number) =>
  autocannon({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration: seconds });

// With BENCH_CPU_PROF=1: the measured windows, on the monotonic clock V8's profiler uses too,
// so that profile-summary.ts can leave start-up and warm-up out.
const profileWindows = new Map<number, { startUs: number; endUs: number }[]>();

const measure = async (target: Target): Promise<Round> => {
  await hit(target, WARMUP_S);
  const cpuBefore = cpuMsOf(target.pid);
  const startUs = nowUs();
  const result = await hit(target, DURATION_S);
  const endUs = nowUs();
  const cpuAfter = cpuMsOf(target.pid);
  if (CPU_PROF && target.name === 'atrium' && target.pid !== undefined) profileWindows.set(target.pid, [...(profileWindows.get(target.pid) ?? []), { startUs, endUs }]);
  const bad = result.non2xx + result.errors + result.timeouts;
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerReq: cpuBefore === undefined || cpuAfter === undefined || requests === 0 ? undefined : ((cpuAfter - cpuBefore) * 1000) / requests,
    requests,
    bad,
  };
};

const login = async (base: string): Promise<string> => {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  const me = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  if (me.status !== 200) throw new Error(`/api/v1/me answered ${me.status}: ${await me.text()}`);
  await me.arrayBuffer();
  return accessToken;
};

const WIDGET_ORIGIN = 'https://bench.example';

/** A published assistant with its widget enabled for WIDGET_ORIGIN; its public key. */
const enableWidget = async (base: string, token: string): Promise<string> => {
  const post = async (path: string, body: unknown, method = 'POST') => {
    const response = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string; publicKey: string };
  };
  const space = await post('/api/v1/spaces', { name: 'Bench' });
  const assistant = await post(`/api/v1/spaces/${space.id}/assistants`, { name: 'Bench helper', published: true });
  const widget = await post(`/api/v1/assistants/${assistant.id}/widget`, { enabled: true, allowedOrigins: [WIDGET_ORIGIN], greeting: 'Hi!' }, 'PUT');
  return widget.publicKey;
};

interface ModeResult {
  mode: string;
  bare: Round[];
  atrium: Round[];
  /** Atrium's `GET /api/v1/widget/config`: what every page view of a site with the widget asks for. */
  widget: Round[];
  /** Atrium's `GET /healthz`: the whole middleware stack, no auth, no database (embedded mode only). */
  healthz: Round[];
}

const PIN = pinning();
const serverCpus = 'servers' in PIN ? PIN.servers : undefined;

const runMode = async (mode: string, databaseUrl: string | undefined, withHealthz: boolean): Promise<ModeResult> => {
  console.log(`\n${mode}: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${DURATION_S} s per round, ${ROUNDS} rounds each, alternating`);
  const bare = await startHelper<{ port: number }>('servers/bare.ts', cleanEnv(), [], 120_000, [], serverCpus);
  const atriumPort = await freePort();
  const profDir = PROFILE_DIR;
  const atrium = await startHelper<{ port: number; driver: string }>(
    'servers/atrium.ts',
    cleanEnv({
      PORT: String(atriumPort),
      ATRIUM_HOST: '127.0.0.1',
      ATRIUM_DATA_DIR: tempDir('me-data'),
      DATABASE_URL: databaseUrl,
      ATRIUM_ADMIN_EMAIL: ADMIN_EMAIL,
      ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ATRIUM_LOG_LEVEL: 'silent',
    }),
    [...atriumNodeFlags(), ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])],
    120_000,
    [],
    serverCpus,
  );
  try {
    const base = `http://127.0.0.1:${atrium.info.port}`;
    const token = await login(base);
    const widgetKey = await enableWidget(base, token);
    const targets: Record<TargetName, Target> = {
      bare: { name: 'bare', url: `http://127.0.0.1:${bare.info.port}/`, headers: {}, pid: bare.child.pid },
      atrium: { name: 'atrium', url: `${base}/api/v1/me`, headers: { Authorization: `Bearer ${token}` }, pid: atrium.child.pid },
      widget: { name: 'widget', url: `${base}/api/v1/widget/config?key=${widgetKey}`, headers: { Origin: WIDGET_ORIGIN }, pid: atrium.child.pid },
      healthz: { name: 'healthz', url: `${base}/healthz`, headers: {}, pid: atrium.child.pid },
    };
    const rounds: ModeResult = { mode, bare: [], atrium: [], widget: [], healthz: [] };
    // Alternating: bare, atrium, widget[, healthz], then the reverse, and so on.
    const forward: TargetName[] = withHealthz ? ['bare', 'atrium', 'widget', 'healthz'] : ['bare', 'atrium', 'widget'];
    const order: TargetName[] = [];
    for (let i = 0; i < ROUNDS; i++) order.push(...(i % 2 === 0 ? forward : [...forward].reverse()));
    for (const name of order) {
      const round = await measure(targets[name]);
      rounds[name].push(round);
      console.log(
        `  ${name.padEnd(7)} ${round.rps.toFixed(0).padStart(7)} req/s  p50 ${round.p50} ms  p99 ${round.p99} ms` +
          `${round.cpuUsPerReq === undefined ? '' : `  server CPU ${round.cpuUsPerReq.toFixed(0)} µs/req`}${round.bad ? `  ${round.bad} non-2xx/errors!` : ''}`,
      );
    }
    return rounds;
  } finally {
    await stop(bare.child);
    await stop(atrium.child);
    const windows = atrium.child.pid === undefined ? undefined : profileWindows.get(atrium.child.pid);
    if (CPU_PROF && windows) {
      writeFileSync(path.join(profDir, `${atrium.child.pid}.windows.json`), JSON.stringify(windows));
      console.log(`  CPU profile of the Atrium server: ${path.relative(BENCH_DIR, profDir)}/CPU.*.${atrium.child.pid}.*.cpuprofile`);
    }
  }
};

/** A dedicated database on the server DATABASE_URL points at, or undefined if it is unset or unreachable. */
const connectedDatabase = async (): Promise<{ url: string; drop: () => Promise<void> } | { skipped: string }> => {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) return { skipped: 'DATABASE_URL is not set' };
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    return { skipped: `DATABASE_URL is not reachable (${error instanceof Error ? error.message : String(error)})` };
  }
  const name = `atrium_bench_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
};

const cpuOf = (rounds: Round[]) => (rounds.every((x) => x.cpuUsPerReq !== undefined) ? mean(rounds.map((x) => x.cpuUsPerReq!)) : undefined);

const summarise = (r: ModeResult) => {
  const avg = (rounds: Round[], key: 'rps' | 'p50' | 'p99') => mean(rounds.map((x) => x[key]));
  const cpu = cpuOf;
  const bareRps = avg(r.bare, 'rps');
  const atriumRps = avg(r.atrium, 'rps');
  const ratio = atriumRps / bareRps;
  const widgetRps = avg(r.widget, 'rps');
  const widgetRatio = widgetRps / bareRps;
  const bareCpu = cpu(r.bare);
  const atriumCpu = cpu(r.atrium);
  const bad = [...r.bare, ...r.atrium, ...r.widget, ...r.healthz].reduce((n, x) => n + x.bad, 0);
  return { bareRps, atriumRps, ratio, widgetRps, widgetRatio, bareCpu, atriumCpu, bad, avg };
};

const main = async () => {
  console.log('endpoint-throughput: authenticated GET /api/v1/me and public GET /api/v1/widget/config vs bare Hono hello-world, same run');
  // Pinned: this process (autocannon) on its CPU; the servers are started on theirs.
  if ('loadGenerator' in PIN) pinSelf(PIN.loadGenerator);
  console.log(
    'loadGenerator' in PIN
      ? `  pinned: autocannon on CPU ${PIN.loadGenerator}, both servers on CPU ${PIN.servers}`
      : `  not pinned (${PIN.off}): autocannon and the servers share all CPUs`,
  );
  const loadBefore = load();
  if (loadBefore.busy) console.log(`  warning: 1-min load average is ${loadBefore.oneMinute.toFixed(1)}: numbers will be noisy`);

  const results: ModeResult[] = [await runMode('embedded (PGlite)', undefined, true)];
  const connected = await connectedDatabase();
  let skipped: string | undefined;
  if ('url' in connected) {
    try {
      results.push(await runMode('connected (PostgreSQL)', connected.url, false));
    } finally {
      await connected.drop();
    }
  } else {
    skipped = connected.skipped;
    console.log(`\nconnected mode skipped: ${skipped}`);
  }
  const loadAfter = load();

  const rows: string[][] = [];
  console.log('');
  for (const r of results) {
    const s = summarise(r);
    const f = (n: number) => n.toFixed(0);
    const us = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(0)} µs`);
    rows.push(
      [`${r.mode}: bare Hono \`GET /\``, f(s.bareRps), `${s.avg(r.bare, 'p50').toFixed(1)} ms`, `${s.avg(r.bare, 'p99').toFixed(1)} ms`, us(s.bareCpu), '', ''],
      [
        `${r.mode}: Atrium \`GET /api/v1/me\``,
        f(s.atriumRps),
        `${s.avg(r.atrium, 'p50').toFixed(1)} ms`,
        `${s.avg(r.atrium, 'p99').toFixed(1)} ms`,
        us(s.atriumCpu),
        `**${s.ratio.toFixed(2)}**`,
        s.bad ? `${s.bad} non-2xx/errors` : 'none',
      ],
    );
    rows.push([
      `${r.mode}: Atrium \`GET /api/v1/widget/config\` (a page view: key, widget, origin, ETag)`,
      f(s.widgetRps),
      `${s.avg(r.widget, 'p50').toFixed(1)} ms`,
      `${s.avg(r.widget, 'p99').toFixed(1)} ms`,
      us(cpuOf(r.widget)),
      `**${s.widgetRatio.toFixed(2)}**`,
      '',
    ]);
    console.log(`  ${r.mode}: Atrium /widget/config ${f(s.widgetRps)} req/s → ratio ${s.widgetRatio.toFixed(2)}`);
    if (r.healthz.length) {
      const h = mean(r.healthz.map((x) => x.rps));
      rows.push([
        `${r.mode}: Atrium \`GET /healthz\` (middleware only: no auth, no DB)`,
        f(h),
        `${s.avg(r.healthz, 'p50').toFixed(1)} ms`,
        `${s.avg(r.healthz, 'p99').toFixed(1)} ms`,
        us(cpuOf(r.healthz)),
        `(${(h / s.bareRps).toFixed(2)})`,
        'context',
      ]);
      console.log(`  ${r.mode}: Atrium /healthz ${f(h)} req/s → ratio ${(h / s.bareRps).toFixed(2)} (middleware stack alone, for context)`);
    }
    console.log(
      `  ${r.mode}: bare ${f(s.bareRps)} req/s, atrium ${f(s.atriumRps)} req/s → ratio ${s.ratio.toFixed(2)}` +
        (s.bareCpu !== undefined && s.atriumCpu !== undefined
          ? `\n    server CPU per request: bare ${s.bareCpu.toFixed(0)} µs, atrium ${s.atriumCpu.toFixed(0)} µs (${(s.bareCpu / s.atriumCpu).toFixed(2)}×)`
          : ''),
    );
  }
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
    loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: treat the numbers as noisy**' : ''
  }.`;
  console.log(`  ${loadNote}`);

  const ratios = (pick: (s: ReturnType<typeof summarise>) => number) => results.map((r) => `${pick(summarise(r)).toFixed(2)} ${r.mode.split(' ')[0]}`).join(', ');
  recordResult(
    '`GET /api/v1/me` and `GET /api/v1/widget/config` throughput vs bare Hono',
    [
      { goal: '`/me` vs bare Hono: none, for information (the ≥ 0.5 goal is retired)', result: `ratio ${ratios((s) => s.ratio)}`, verdict: 'info' },
      { goal: '`/widget/config` vs bare Hono: none yet, for information (CDN-cacheable: ETag, max-age 60)', result: `ratio ${ratios((s) => s.widgetRatio)}`, verdict: 'info' },
    ],
    [
      `autocannon, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s measured per round, ${ROUNDS} rounds per server ` +
        'in alternating order (bare, atrium, widget[, healthz], then the reverse, …); averages over rounds. Each server in its own Node process, autocannon in a third, ' +
        ('loadGenerator' in PIN
          ? `pinned with taskset: autocannon (this process) on CPU ${PIN.loadGenerator}, both servers on CPU ${PIN.servers}` +
            ' (in connected mode PostgreSQL is not pinned). '
          : 'all on the same 2 cores (not pinned). ') +
        'Atrium runs `startServer` with log level `silent` and is called with a user access token (JWT). ' +
        '"server CPU/req" is the server process\'s CPU time (user + system, /proc) during the measured window divided by the requests served: ' +
        'it moves less than req/s when other work competes for the cores. The bare server is cheap enough that autocannon, not the server, ' +
        'is its bottleneck here, so its req/s (and so the ratio\'s denominator) is if anything understated.',
      '',
      table(['server', 'req/s', 'p50', 'p99', 'server CPU/req', 'ratio atrium/bare', 'errors'], rows),
      '',
      [skipped ? `Connected mode skipped: ${skipped}.` : '', loadNote].filter(Boolean).join(' '),
    ].join('\n'),
  );
};

await main();
