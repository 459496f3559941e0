import { and, eq } from 'drizzle-orm';
import { schema } from '@atrium/core/database';
import { createAtrium } from '@atrium/core/node';
import { tempDir } from './lib/common.js';
import pg from 'pg';

const measure = async (name: string, fn: () => Promise<unknown>) => {
  for (let i = 0; i < 300; i++) await fn();
  const best: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage(); let n = 0; const t0 = performance.now();
    while (performance.now() - t0 < 300) { await fn(); n++; }
    const c = process.cpuUsage(c0); best.push((c.user + c.system) / n);
  }
  console.log(`${name.padEnd(70)} ${Math.min(...best).toFixed(1)} µs CPU`);
};

const run = async (label: string, databaseUrl?: string) => {
  const a = await createAtrium({ databaseUrl, dataDir: tempDir('scratch'), jwtSecret: 'x'.repeat(40), bcryptCost: 4 });
  await a.core.tenants.bootstrap({ adminEmail: 'a@example.com', adminPassword: 'password-0123' });
  const s = await a.core.auth.login({ email: 'a@example.com', password: 'password-0123', ip: '1.1.1.1' });
  const actor = await a.core.auth.authenticate(s.accessToken);
  const db = a.database.db;
  const repos = () => a.core.context.store.forTenant(actor.tenantId);
  await measure(`${label}: store.forTenant(t) alone`, async () => repos());
  const { preparedQueries } = await import('../packages/core/src/adapters/database/repositories/prepared.js');
  await measure(`${label}: prepared join execute, bare`, () => preparedQueries(db).userWithTenant.execute({ tenantId: actor.tenantId, id: actor.userId }));
  await measure(`${label}: repos.users.getWithTenant (prepared)`, () => repos().users.getWithTenant(actor.userId));
  await measure(`${label}: same join built per call`, async () => {
    const [row] = await db.select({ user: schema.users, tenant: schema.tenants }).from(schema.users)
      .innerJoin(schema.tenants, eq(schema.tenants.id, schema.users.tenantId))
      .where(and(eq(schema.users.tenantId, actor.tenantId), eq(schema.users.id, actor.userId)));
    return row;
  });
  await measure(`${label}: repos.users.get (built per call)`, () => repos().users.get(actor.userId));
  await a.close();
};
await run('pglite');
const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
await admin.connect();
const name = `atrium_scratch_${process.pid}`;
await admin.query(`create database ${name}`);
try { const u = new URL(process.env.DATABASE_URL!); u.pathname = `/${name}`; await run('postgres', u.toString()); }
finally { await admin.query(`drop database ${name} with (force)`); await admin.end(); }
