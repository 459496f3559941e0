import { openDatabase } from '@atrium/core/database';
import { configOrExit, failAndExit } from './shared.js';

export const migrateCommand = async (): Promise<void> => {
  const config = configOrExit();
  try {
    const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir.replace(/\/$/, '')}/db` });
    await database.migrate();
    await database.close();
    process.stdout.write(`Migrations applied (${database.driver}).\n`);
  } catch (error) {
    failAndExit(error);
  }
};
