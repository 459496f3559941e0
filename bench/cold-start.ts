/**
 * Embedded cold start: wall time from spawning the real CLI
 * (`node --conditions=@atrium/source --import tsx packages/server/src/cli/main.ts start`)
 * until `GET /readyz` answers 200.
 *
 * - first start: a fresh ATRIUM_DATA_DIR and a fresh tsx cache (what a new user sees);
 * - warm start: the same data dir and tsx cache again, 3 times, median reported.
 *
 * Two extra starts split the first start into compilation and the rest, cheaply:
 * a fresh data dir with the tsx cache already warm, and a warm start with tsx's cache off.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  recordResult,
  atriumNodeFlags,
  captureOutput,
  cleanEnv,
  cpuMsOf,
  load,
  freePort,
  median,
  REPO_ROOT,
  seconds,
  sleep,
  stop,
  table,
  tempDir,
  track,
  TS_NODE_ARGS,
  verdict,
} from './lib/common.js';

const GOAL_FIRST_MS = 15_000;
const GOAL_WARM_MS = 3_000;
const WARM_RUNS = 3;
const POLL_MS = 25;
const GIVE_UP_MS = 120_000;
const CLI = path.join('packages', 'server', 'src', 'cli', 'main.ts');

interface StartOptions {
  dataDir: string;
  /** The child's TMPDIR: tsx keeps its compile cache there. */
  tmpDir: string;
  disableTsxCache?: boolean;
}

interface StartResult {
  readyMs: number;
  /** CPU time the server process (and esbuild, its child) used until it was ready (Linux only). */
  cpuMs: number | undefined;
  stopMs: number;
}

/** Spawns the CLI, polls /readyz every 25 ms until 200, then stops it with SIGTERM. */
const startOnce = async ({ dataDir, tmpDir, disableTsxCache }: StartOptions): Promise<StartResult> => {
  const port = await freePort();
  const env = cleanEnv({
    ATRIUM_DATA_DIR: dataDir,
    PORT: String(port),
    ATRIUM_HOST: '127.0.0.1',
    TMPDIR: tmpDir,
    TSX_DISABLE_CACHE: disableTsxCache ? '1' : undefined,
  });
  const started = performance.now();
  const child = track(spawn(process.execPath, [...atriumNodeFlags(), ...TS_NODE_ARGS, CLI, 'start'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const output = captureOutput(child);
  let exited = false;
  child.once('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}/readyz`;
  let readyMs: number | undefined;
  let cpuMs: number | undefined;
  while (readyMs === undefined) {
    const attempt = performance.now();
    if (exited) throw new Error(`the server exited before it was ready:\n${output()}`);
    if (attempt - started > GIVE_UP_MS) {
      await stop(child);
      throw new Error(`/readyz did not answer 200 within ${GIVE_UP_MS} ms:\n${output()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) {
        readyMs = performance.now() - started;
        cpuMs = cpuMsOf(child.pid, true);
      }
    } catch {
      // Not listening yet.
    }
    if (readyMs === undefined) await sleep(Math.max(0, POLL_MS - (performance.now() - attempt)));
  }
  const stopMs = await stop(child);
  if (child.exitCode !== 0) throw new Error(`the server did not exit cleanly on SIGTERM (${child.exitCode ?? child.signalCode}):\n${output()}`);
  return { readyMs, cpuMs, stopMs };
};

const cpu = (r: StartResult) => (r.cpuMs === undefined ? 'n/a' : seconds(r.cpuMs));
const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
const maybe = (ms: number | undefined) => (ms === undefined ? 'n/a' : seconds(ms));

const main = async () => {
  console.log('cold-start: embedded (PGlite) start of the real CLI until /readyz is 200\n');
  const loadBefore = load();
  if (loadBefore.busy) console.log(`  warning: 1-min load average is ${loadBefore.oneMinute.toFixed(1)}: wall times will be inflated\n`);
  const tsxCache = tempDir('tsx-cache');
  const dataDir = tempDir('data');
  const line = (label: string, r: StartResult) =>
    console.log(`  ${label.padEnd(46)} ${seconds(r.readyMs).padStart(8)} wall, ${cpu(r).padStart(8)} CPU  (SIGTERM → exit ${seconds(r.stopMs)})`);

  const first = await startOnce({ dataDir, tmpDir: tsxCache });
  line('first start (fresh data dir, cold tsx cache)', first);

  const warm: StartResult[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const run = await startOnce({ dataDir, tmpDir: tsxCache });
    warm.push(run);
    line(`warm start ${i + 1}/${WARM_RUNS}`, run);
  }
  const warmMedian = median(warm.map((r) => r.readyMs));
  const warmCpu = warm.every((r) => r.cpuMs !== undefined) ? median(warm.map((r) => r.cpuMs!)) : undefined;

  // The breakdown: the same starts with compilation taken out of, or put back into, the picture.
  const freshDataWarmTsx = await startOnce({ dataDir: tempDir('data2'), tmpDir: tsxCache });
  line('fresh data dir, warm tsx cache', freshDataWarmTsx);
  const warmNoTsxCache = await startOnce({ dataDir, tmpDir: tsxCache, disableTsxCache: true });
  line('warm data dir, tsx cache disabled', warmNoTsxCache);
  const loadAfter = load();

  const compileFirst = { wall: first.readyMs - freshDataWarmTsx.readyMs, cpu: diff(first.cpuMs, freshDataWarmTsx.cpuMs) };
  const compileWarm = { wall: warmNoTsxCache.readyMs - warmMedian, cpu: diff(warmNoTsxCache.cpuMs, warmCpu) };
  const dataInit = { wall: freshDataWarmTsx.readyMs - warmMedian, cpu: diff(freshDataWarmTsx.cpuMs, warmCpu) };
  const firstOk = first.readyMs <= GOAL_FIRST_MS;
  const warmOk = warmMedian <= GOAL_WARM_MS;
  const loadNote = `1-min load average ${loadBefore.oneMinute.toFixed(1)} before, ${loadAfter.oneMinute.toFixed(1)} after${
    loadBefore.busy || loadAfter.busy ? ' — **the machine was busy with other work: wall times are inflated; the CPU column is the steadier one**' : ''
  }.`;

  console.log(`
  first start: ${seconds(first.readyMs)} (CPU ${cpu(first)})   goal ≤ ${seconds(GOAL_FIRST_MS, 0)}   ${verdict(firstOk)}
  warm start:  ${seconds(warmMedian)} (median of ${WARM_RUNS}; CPU ${maybe(warmCpu)})   goal ≤ ${seconds(GOAL_WARM_MS, 0)}   ${verdict(warmOk)}
  ≈ tsx compilation on a first start: ${seconds(compileFirst.wall)} wall, ${maybe(compileFirst.cpu)} CPU (cold − warm tsx cache)
  ≈ compilation with tsx's cache off:  ${seconds(compileWarm.wall)} wall, ${maybe(compileWarm.cpu)} CPU
  ≈ creating the database (initdb, migrations, bootstrap with bcrypt): ${seconds(dataInit.wall)} wall, ${maybe(dataInit.cpu)} CPU
  ${loadNote}
`);

  recordResult(
    'cold start (embedded, real CLI → /readyz 200)',
    [
      { goal: `first start ≤ ${seconds(GOAL_FIRST_MS, 0)}`, result: seconds(first.readyMs), verdict: verdict(firstOk) },
      { goal: `warm start ≤ ${seconds(GOAL_WARM_MS, 0)}`, result: `${seconds(warmMedian)} (median)`, verdict: verdict(warmOk) },
    ],
    [
      table(
        ['measure', 'wall time', 'CPU time (server + its esbuild child)', 'goal (wall)', 'verdict'],
        [
          ['first start (fresh data dir, cold tsx cache)', seconds(first.readyMs), cpu(first), `≤ ${seconds(GOAL_FIRST_MS, 0)}`, `**${verdict(firstOk)}**`],
          [
            `warm start (median of ${WARM_RUNS}: ${warm.map((r) => seconds(r.readyMs)).join(', ')})`,
            seconds(warmMedian),
            maybe(warmCpu),
            `≤ ${seconds(GOAL_WARM_MS, 0)}`,
            `**${verdict(warmOk)}**`,
          ],
        ],
      ),
      '',
      'Breakdown (one extra start each, so ± noise; differences of wall times and of CPU times):',
      '',
      table(
        ['start', 'wall', 'CPU', 'difference', 'wall', 'CPU'],
        [
          ['fresh data dir, warm tsx cache', seconds(freshDataWarmTsx.readyMs), cpu(freshDataWarmTsx), 'first start − this ≈ **tsx compilation** (cold cache)', seconds(compileFirst.wall), maybe(compileFirst.cpu)],
          ['warm data dir, tsx cache off', seconds(warmNoTsxCache.readyMs), cpu(warmNoTsxCache), 'this − warm start ≈ compilation without a cache', seconds(compileWarm.wall), maybe(compileWarm.cpu)],
          ['', '', '', '(fresh data, warm tsx) − warm start ≈ **creating the database** (initdb, migrations, bootstrap, bcrypt cost 12)', seconds(dataInit.wall), maybe(dataInit.cpu)],
        ],
      ),
      '',
      `SIGTERM → exit: ${[first, ...warm].map((r) => seconds(r.stopMs)).join(', ')}. ${loadNote}`,
    ].join('\n'),
  );
};

await main();
