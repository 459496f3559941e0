import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { cleanEnv, freePort, startHelper, stop, tempDir } from './lib/common.js';
const split = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return [Number(x[11]) * 10, Number(x[12]) * 10]; };
const bare = await startHelper<{ port: number }>('servers/bare.ts', cleanEnv());
const port = await freePort();
const atrium = await startHelper<{ port: number }>('servers/atrium.ts', cleanEnv({ PORT: String(port), ATRIUM_HOST: '127.0.0.1', ATRIUM_DATA_DIR: tempDir('x'), ATRIUM_ADMIN_EMAIL: 'b@example.com', ATRIUM_ADMIN_PASSWORD: 'bench-password-0123', ATRIUM_LOG_LEVEL: 'silent' }));
if (process.env.PIN) { for (const c of [bare.child.pid!, atrium.child.pid!]) execFileSync('taskset', ['-a', '-p', '-c', '1', String(c)]); execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)]); }
const base = `http://127.0.0.1:${atrium.info.port}`;
const { accessToken } = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'b@example.com', password: 'bench-password-0123' }) })).json() as { accessToken: string };
const run = async (name: string, url: string, pid: number, headers: Record<string, string> = {}) => {
  await autocannon({ url, headers, connections: 10, duration: 2 });
  const [u0, s0] = split(pid);
  const r = await autocannon({ url, headers, connections: 10, duration: 5 });
  const [u1, s1] = split(pid);
  const n = r.requests.total;
  console.log(`${name.padEnd(10)} ${r.requests.average.toFixed(0)} req/s user ${((u1 - u0) * 1000 / n).toFixed(1)} µs sys ${((s1 - s0) * 1000 / n).toFixed(1)} µs  bytes/req ${(r.throughput.total / n).toFixed(0)}`);
};
for (let i = 0; i < 2; i++) {
  await run('bare', `http://127.0.0.1:${bare.info.port}/`, bare.child.pid!);
  await run('healthz', `${base}/healthz`, atrium.child.pid!);
  await run('me', `${base}/api/v1/me`, atrium.child.pid!, { Authorization: `Bearer ${accessToken}` });
}
await stop(bare.child); await stop(atrium.child);
