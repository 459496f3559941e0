import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_ROOT = path.dirname(BENCH_DIR);
export const RESULTS_FILE = path.join(BENCH_DIR, 'RESULTS.md');
/** Where `--cpu-prof` runs leave their profiles (git-ignored). */
export const PROFILE_DIR = path.join(BENCH_DIR, '.profiles');
/** The JWT secret every benchmark's Atrium signs with (a throwaway, never a real one). */
export const BENCH_JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** Microseconds on the monotonic clock, the unit of V8 CPU profiles' timestamps. */
export const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** The flags every TypeScript entry point of this repo runs with (sources, not dist). */
export const TS_NODE_ARGS = ['--conditions=@atrium/source', '--import', 'tsx'];

/**
 * The Node flags `pnpm start` runs the server with (none today besides the TypeScript
 * loader), read from the root package.json's `start` script so that benchmarks measure the
 * server as it is started, whatever flags it gains.
 */
export const atriumNodeFlags = (): string[] => {
  const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return scripts.start!.split(/\s+/).slice(1).filter((token) => token.startsWith('--') && !TS_NODE_ARGS.includes(token));
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export const seconds = (ms: number, digits = 2) => `${(ms / 1000).toFixed(digits)} s`;

/** A port the kernel just handed out and released: free unless something races us for it. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

const tempDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed when the process exits. */
export const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), `atrium-bench-${prefix}-`));
  tempDirs.push(dir);
  return dir;
};

const children = new Set<ChildProcess>();

/** Children are tracked so that a failing benchmark never leaves a server behind. */
export const track = (child: ChildProcess): ChildProcess => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
};

const cleanup = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.length = 0;
};
process.once('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });

/** The environment without anything that would point a child at a configured deployment. */
export const cleanEnv = (extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('ATRIUM_') || key === 'DATABASE_URL' || key === 'REDIS_URL' || key === 'PORT') continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
};

/** Keeps the last `limit` characters a child printed, for error messages. */
export const captureOutput = (child: ChildProcess, limit = 8000): (() => string) => {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
};

const hasTaskset = (): boolean => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * CPU pinning for the load benchmarks (BENCH_PIN=1, Linux with `taskset`, 2+ CPUs): the load
 * generator (this process) on CPU 0, every server under test on CPU 1, the same for the
 * baseline and the subject. Undefined when off or not possible (with the reason).
 */
export const pinning = (): { loadGenerator: string; servers: string } | { off: string } => {
  if (process.env.BENCH_PIN !== '1') return { off: 'BENCH_PIN is not 1' };
  if (os.cpus().length < 2) return { off: 'fewer than 2 CPUs' };
  if (!hasTaskset()) return { off: 'taskset is not available' };
  return { loadGenerator: '0', servers: '1' };
};

/** Pins this process (all its threads) to `cpus` (a taskset CPU list). */
export const pinSelf = (cpus: string): void => {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
};

/** Starts a TypeScript helper that prints one JSON line once it is listening; resolves with that line. */
export const startHelper = async <T>(
  file: string,
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
  timeoutMs = 120_000,
  scriptArgs: string[] = [],
  /** A taskset CPU list to run the helper on (see `pinning`). */
  cpus?: string,
): Promise<{ child: ChildProcess; info: T; output: () => string }> => {
  const args = [...nodeArgs, ...TS_NODE_ARGS, file, ...scriptArgs];
  const [command, commandArgs] = cpus === undefined ? [process.execPath, args] : ['taskset', ['-c', cpus, process.execPath, ...args]];
  const child = track(spawn(command, commandArgs, { cwd: BENCH_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const output = captureOutput(child);
  const info = await new Promise<T>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not report ready in ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code ?? signal}) before it was ready:\n${output()}`));
    });
  });
  return { child, info, output };
};

/** Sends SIGTERM and waits for the exit; SIGKILL after `graceMs`. Resolves with the time it took. */
export const stop = async (child: ChildProcess, graceMs = 15_000): Promise<number> => {
  const started = performance.now();
  if (child.exitCode !== null || child.signalCode !== null) return 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  return performance.now() - started;
};

/**
 * CPU time (user + system, all threads) a live process has used so far, in ms, from
 * /proc/<pid>/stat; undefined where there is no /proc. Unlike wall time, this barely
 * moves when other work competes for the cores. With `tree`, live descendants are added
 * (tsx compiles through an esbuild service process, for instance).
 */
export const cpuMsOf = (pid: number | undefined, tree = false): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime, stime (fields 14 and 15)
    if (tree) for (const child of childrenOf(pid)) ms += cpuMsOf(child, true) ?? 0;
    return ms;
  } catch {
    return undefined;
  }
};

const childrenOf = (pid: number): number[] => {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
};
// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

/** The 1-minute load average, and whether it says the machine was busy with other work. */
export const load = () => {
  const oneMinute = os.loadavg()[0] ?? 0;
  return { oneMinute, busy: oneMinute > os.cpus().length * 0.75 };
};

/** Which code was measured: BENCH_REVISION if given, else the git commit (and whether packages/ had local changes). */
export const revision = (): string => {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'packages') ? `${commit} + uncommitted changes in packages/` : commit;
  } catch {
    return 'unknown revision';
  }
};

export const machine = () => {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${Math.round(os.totalmem() / 1024 ** 3)} GiB`,
    os: `${os.type()} ${os.release()}`,
  };
};

const RESULTS_HEADER = `# Benchmark results

A scoreboard: the latest result of each benchmark, with its goal and verdict, the date and
the commit it measured. \`pnpm bench\` (see [README.md](./README.md)) replaces a benchmark's
section with each run; earlier runs live in git history (\`git log -p bench/RESULTS.md\`).

Method, in short: where a benchmark has a baseline (bare Hono, a fake model called
directly, the reference BM25), it is measured in the same run, on the same machine, and the
goal is stated against the ratio or difference; absolute numbers are context. The machine
is small (2 cores, 24 GiB) and the load generator shares it with the server.
`;

/** One goal of a benchmark and how the latest run did against it. */
export interface Score {
  goal: string;
  result: string;
  /** PASS, FAIL, or a word for a figure reported without a goal ("info"). */
  verdict: string;
}

interface Section {
  id: string;
  meta: { title: string; date: string; commit: string; scores: Score[] };
  text: string;
}

const SECTION = /<!-- bench:([\w-]+) (\{.*\}) -->\n([\s\S]*?)<!-- \/bench:\1 -->\n/g;

const sectionsOf = (file: string): Section[] =>
  [...file.matchAll(SECTION)].map(([, id, meta, text]) => ({ id: id!, meta: JSON.parse(meta!) as Section['meta'], text: text! }));

const scoreboard = (sections: Section[]): string =>
  table(
    ['benchmark', 'goal', 'latest result', 'verdict', 'date', 'commit'],
    sections.flatMap(({ id, meta }) =>
      meta.scores.map((s) => [`[${id}](#${id})`, s.goal, s.result, s.verdict === 'FAIL' ? '**FAIL**' : s.verdict, meta.date, meta.commit]),
    ),
  );

/** The benchmark a script is: its file name (`chat-ttft.ts` → `chat-ttft`). */
const benchmarkId = (): string => path.basename(process.argv[1] ?? 'unknown', '.ts');

/**
 * Puts this run on the scoreboard (bench/RESULTS.md): replaces the section of the running
 * benchmark (`id`: the script's name unless it records more than one section), or adds it,
 * and regenerates the table of every benchmark's goals at the top.
 */
export const recordResult = (title: string, scores: Score[], body: string, id = benchmarkId()): void => {
  if (process.env.BENCH_NO_RECORD === '1') {
    console.log('(BENCH_NO_RECORD=1: not recording in RESULTS.md)');
    return;
  }
  const m = machine();
  const date = new Date().toISOString().replace('T', ' ').replace(/:\d+\.\d+Z$/, ' UTC');
  const meta = { title, date, commit: revision(), scores };
  const text = `## ${id}\n\n${title}. Run ${date} on ${meta.commit}; Node ${m.node}; ${m.cpus}; ${m.memory}.\n\n${body.trim()}\n`;
  const sections = existsSync(RESULTS_FILE) ? sectionsOf(readFileSync(RESULTS_FILE, 'utf8')).filter((s) => s.id !== id) : [];
  sections.push({ id, meta, text });
  sections.sort((a, b) => a.id.localeCompare(b.id));
  const rendered = sections.map((s) => `<!-- bench:${s.id} ${JSON.stringify(s.meta)} -->\n${s.text}<!-- /bench:${s.id} -->\n`);
  writeFileSync(RESULTS_FILE, `${RESULTS_HEADER}\n${scoreboard(sections)}\n\n${rendered.join('\n')}`);
};

export const table = (header: string[], rows: (string | number)[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

export const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
