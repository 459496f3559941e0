import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { configOrExit, describeMode, failAndExit } from './shared.js';

export const startCommand = async (): Promise<void> => {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, logger).catch(failAndExit);
  const base = config.publicUrl;

  const lines = [
    '',
    `  Atrium is running (${describeMode(config)})`,
    '',
    `  API reference:  ${base}/docs`,
    `  API base URL:   ${base}/api/v1`,
    `  OpenAPI:        ${base}/openapi.json`,
  ];
  if (running.demo.status === 'ready') lines.splice(3, 0, `  Demo:           ${base}/demo`);
  if (running.bootstrap.created) {
    lines.push('', `  Owner account:  ${running.bootstrap.admin.email}`);
    if (running.bootstrap.generatedPassword)
      lines.push(`  Password:       ${running.bootstrap.generatedPassword}   (generated; shown only this once)`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    running
      .shutdown(10_000)
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
};
