import { randomBase62 } from '@atrium/core';
import { createAtrium } from '@atrium/core/node';
import { configOrExit, failAndExit } from './shared.js';

interface TenantsCreateOptions {
  name: string;
  adminEmail: string;
  adminPassword?: string;
  adminName?: string;
}

export const tenantsCreateCommand = async (options: TenantsCreateOptions): Promise<void> => {
  const config = configOrExit();
  const password = options.adminPassword ?? randomBase62(20);
  try {
    const atrium = await createAtrium({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, jwtSecret: config.jwtSecret });
    try {
      const { tenant, admin } = await atrium.core.tenants.create({
        name: options.name,
        adminEmail: options.adminEmail,
        adminPassword: password,
        ...(options.adminName && { adminName: options.adminName }),
      });
      const lines = [`Tenant created: ${tenant.name} (${tenant.id})`, `Owner: ${admin.email}`];
      if (!options.adminPassword) lines.push(`Password: ${password}   (generated; shown only this once)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await atrium.close();
    }
  } catch (error) {
    failAndExit(error);
  }
};
