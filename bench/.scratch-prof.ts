import { createAtrium } from '@atrium/core/node';
import { createApp, createLogger } from '@atrium/server';
import { tempDir } from './lib/common.js';
const a = await createAtrium({ dataDir: tempDir('p'), jwtSecret: 'x'.repeat(40), bcryptCost: 4 });
await a.core.tenants.bootstrap({ adminEmail: 'a@example.com', adminPassword: 'password-0123' });
const s = await a.core.auth.login({ email: 'a@example.com', password: 'password-0123', ip: '1.1.1.1' });
const app = createApp({ core: a.core, logger: createLogger('silent'), ready: async () => {} });
const headers = { Authorization: `Bearer ${s.accessToken}` };
const path = process.argv[2] ?? '/api/v1/me';
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < 6000) { const r = await app.request(path, { headers }); await r.arrayBuffer(); n++; }
console.log(n, 'requests', ((performance.now() - t0) * 1000 / n).toFixed(1), 'µs each');
await a.close();
