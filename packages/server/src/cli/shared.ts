import { isAtriumError } from '@atrium/core';
import { remoteConfigured } from '@atrium/core/node';
import { ConfigError, loadConfig, type Config } from '../config.js';

/** Loads configuration, or prints its one-line complaint and exits 1. */
export const configOrExit = (): Config => {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
};

/** Prints a failure as one readable line (domain errors carry their field problems). */
export const failAndExit = (error: unknown): never => {
  if (isAtriumError(error)) {
    const fields = error.details.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
    process.stderr.write(`Error: ${error.message}${fields ? ` (${fields})` : ''}\n`);
  } else {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
};

export const describeMode = (config: Config): string =>
  [
    config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`,
    config.redisUrl ? 'BullMQ on Redis' : 'in-process queue',
    remoteConfigured(config.models) ? 'OpenAI-compatible models' : 'local models',
  ].join(', ');
