/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `BENCH_CPU_PROF=1 pnpm
 * --filter @atrium/bench me-throughput`): self time by package / source file, and the
 * heaviest functions by self and by inclusive time. Not a benchmark; an aid to reading one.
 *
 *   node --import tsx profile-summary.ts .profiles/<file>.cpuprofile [--top 30] [--filter text] [--all]
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [--top N] [--filter text]');
  process.exit(2);
}
const top = Number(args[args.indexOf('--top') + 1]) || 25;
const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// me-throughput.ts leaves `<pid>.windows.json` beside the profile: the measured windows
// (monotonic µs, V8's clock too). When present, only samples inside them count.
const pid = path.basename(file).split('.')[3];
const windowsFile = path.join(path.dirname(file), `${pid}.windows.json`);
const windows = existsSync(windowsFile) && !args.includes('--all') ? (JSON.parse(readFileSync(windowsFile, 'utf8')) as { startUs: number; endUs: number }[]) : undefined;
const inWindow = (t: number) => !windows || windows.some((w) => t >= w.startUs && t <= w.endUs);

// Self time per node, in µs.
const self = new Map<number, number>();
let t = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  t += delta;
  if (inWindow(t)) self.set(id, (self.get(id) ?? 0) + delta);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url: string): string => {
  if (!url) return '(native / V8)';
  const pnpm = url.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pnpm) return pnpm[1]!;
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return nm[1]!;
  const repo = url.match(/\/(packages\/[^/]+\/src\/.*)$/);
  if (repo) return repo[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
};
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${where(f.url)}:${f.lineNumber + 1}`;

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
const print = (title: string, entries: [string, number][]) => {
  console.log(`\n${title}`);
  for (const [name, us] of entries.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
};

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

const byWhere = new Map<string, number>();
const byFunction = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const frameName = node.callFrame.functionName;
  const place = ['(idle)', '(program)', '(garbage collector)'].includes(frameName) ? frameName : where(node.callFrame.url);
  add(byWhere, place, us);
  add(byFunction, label(node.callFrame), us);
  // Inclusive: count each distinct function once per sample stack.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!.callFrame);
    if (!seen.has(l)) {
      seen.add(l);
      add(inclusive, l, us);
    }
  }
}

console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled${windows ? ` inside the ${windows.length} measured window(s) of ${windowsFile} (--all for the whole run)` : ''}`,
);
print('Self time by package / file', [...byWhere]);
print('Self time by function', [...byFunction]);
print(
  `Inclusive time by function${filter ? ` (matching "${filter}")` : ''}`,
  [...inclusive].filter(([name]) => !filter || name.includes(filter)),
);
