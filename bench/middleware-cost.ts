/**
 * What each HTTP middleware costs per request through the real Node adapter
 * (@hono/node-server): a bare Hono hello-world plus one middleware per server process,
 * each loaded with autocannon, rounds in alternating order. The figure to read is the
 * server's CPU time per request (from /proc) minus the bare server's.
 *
 * Knobs: BENCH_CONNECTIONS (10), BENCH_MW_DURATION_S (3), BENCH_MW_WARMUP_S (1), BENCH_MW_ROUNDS (2),
 * BENCH_MW_ONLY (a regular expression: only the variants it matches, and bare).
 */
import autocannon from 'autocannon';
import { appendResults, cleanEnv, cpuMsOf, load, mean, startHelper, stop, table } from './lib/common.js';
import { VARIANTS } from './servers/middleware-variants.js';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION_S = Number(process.env.BENCH_MW_DURATION_S ?? 3);
const WARMUP_S = Number(process.env.BENCH_MW_WARMUP_S ?? 1);
const ROUNDS = Number(process.env.BENCH_MW_ROUNDS ?? 2);

interface Result {
  cpuUs: number[];
  rps: number[];
  bad: number;
}

const main = async () => {
  // BENCH_MW_ONLY (a regular expression) picks some variants; bare is always measured.
  const only = process.env.BENCH_MW_ONLY ? new RegExp(process.env.BENCH_MW_ONLY) : undefined;
  const names = Object.keys(VARIANTS).filter((name) => !only || name === 'bare' || only.test(name));
  console.log(`middleware-cost: bare Hono + one middleware on @hono/node-server, ${CONNECTIONS} connections, ${WARMUP_S} s + ${DURATION_S} s × ${ROUNDS} rounds\n`);
  const loadBefore = load();
  const servers = await Promise.all(names.map((name) => startHelper<{ port: number }>('servers/middleware.ts', cleanEnv(), [], 120_000, [name])));
  const results = new Map<string, Result>(names.map((n) => [n, { cpuUs: [], rps: [], bad: 0 }]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) {
        const server = servers[names.indexOf(name)]!;
        const url = `http://127.0.0.1:${server.info.port}/`;
        await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S });
        const before = cpuMsOf(server.child.pid);
        const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
        const after = cpuMsOf(server.child.pid);
        const r = results.get(name)!;
        if (before !== undefined && after !== undefined && result.requests.total > 0) r.cpuUs.push(((after - before) * 1000) / result.requests.total);
        r.rps.push(result.requests.average);
        r.bad += result.non2xx + result.errors + result.timeouts;
      }
    }
  } finally {
    for (const server of servers) await stop(server.child);
  }
  const loadAfter = load();

  const cpuOf = (r: Result) => (r.cpuUs.length ? mean(r.cpuUs) : undefined);
  const bareCpu = cpuOf(results.get('bare')!);
  const rows = names.map((name) => {
    const r = results.get(name)!;
    const cpu = cpuOf(r);
    const extra = cpu === undefined || bareCpu === undefined || name === 'bare' ? '' : `${cpu - bareCpu >= 0 ? '+' : ''}${(cpu - bareCpu).toFixed(0)} µs`;
    return [name, cpu === undefined ? 'n/a' : `${cpu.toFixed(0)} µs`, extra, mean(r.rps).toFixed(0), r.bad ? String(r.bad) : ''];
  });
  for (const [name, cpu, extra, rps, bad] of rows)
    console.log(`  ${name!.padEnd(76)} ${cpu!.padStart(7)} CPU/req ${extra!.padStart(8)}  ${rps!.padStart(6)} req/s${bad ? `  ${bad} errors!` : ''}`);
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
    loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: treat the numbers as noisy**' : ''
  }.`;
  console.log(`\n  ${loadNote}`);

  appendResults(
    'HTTP middleware cost through @hono/node-server',
    [
      `A bare Hono \`GET /\` (text "ok") plus one middleware per server process, each loaded with autocannon (${CONNECTIONS} connections, ` +
        `${WARMUP_S} s warm-up, ${DURATION_S} s measured, ${ROUNDS} rounds in alternating order). "server CPU/req" is the server process's CPU time ` +
        'during the measured window divided by the requests served; "over bare" is what the middleware adds. Rows saying "as Atrium had it" ' +
        'are the hono middleware Atrium used before; the row above each is what it uses now for the same job.',
      '',
      table(['middleware', 'server CPU/req', 'over bare', 'req/s', 'errors'], rows),
      '',
      loadNote,
    ].join('\n'),
  );
};

await main();
