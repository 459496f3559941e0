import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAtrium } from '../src/adapters/node/index.js';
import { actorFor } from '../src/test/index.js';
import { nextIp } from './helpers.js';

describe('embedded data directory (PGlite on disk)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-restart-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps data, the signing secret and the bootstrap state across a restart', { timeout: 120_000 }, async () => {
    const credentials = { adminEmail: 'owner@restart.test', adminPassword: 'restart password' };

    const first = await createAtrium({ dataDir, bcryptCost: 4 });
    let spaceId: string;
    let accessToken: string;
    try {
      const boot = await first.core.tenants.bootstrap(credentials);
      if (!boot.created) throw new Error('expected the first start to bootstrap');
      const space = await first.core.spaces.create(actorFor(boot.admin), { name: 'Persistent' });
      spaceId = space.id;
      accessToken = (await first.core.auth.login({ email: credentials.adminEmail, password: credentials.adminPassword, ip: nextIp() }))
        .accessToken;
    } finally {
      await first.close();
    }
    expect(await readdir(join(dataDir, 'db'))).not.toHaveLength(0);

    const second = await createAtrium({ dataDir, bcryptCost: 4 });
    try {
      expect(await second.core.tenants.bootstrap({ adminEmail: 'someone@else.test', adminPassword: 'other password' })).toEqual({
        created: false,
      });
      // The JWT secret was generated once and stored: tokens from before the restart still verify.
      const actor = await second.core.auth.authenticate(accessToken);
      expect(actor.tenantRole).toBe('owner');
      const spaces = await second.core.spaces.list(actor, { limit: 10 });
      expect(spaces.data.map((s) => [s.id, s.name])).toEqual([[spaceId, 'Persistent']]);
      const session = await second.core.auth.login({
        email: credentials.adminEmail,
        password: credentials.adminPassword,
        ip: nextIp(),
      });
      expect(session.user.id).toBe(actor.userId);
      expect((await second.core.tenants.list({ limit: 10 })).data).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
