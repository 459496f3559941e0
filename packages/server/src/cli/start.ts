import { createLogger } from '../logger.js';
import { startServer } from '../server.js';
import { configOrExit, describeMode, failAndExit } from './shared.js';

export const startCommand = async (): Promise<void> => {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  // Listening before start-up ends: /readyz answers 200 while the demo is still being
  // seeded, so a supervisor may already send SIGTERM. Take it now, and stop as soon as
  // start-up has finished, instead of dying mid-write to the data directory.
  let stopRequested: string | undefined;
  const early = (signal: string) => () => {
    stopRequested = signal;
    logger.info({ signal }, 'stopping once start-up has finished');
  };
  const earlyTerm = early('SIGTERM');
  const earlyInt = early('SIGINT');
  process.once('SIGTERM', earlyTerm);
  process.once('SIGINT', earlyInt);
  const running = await startServer(config, logger).catch(failAndExit);
  process.off('SIGTERM', earlyTerm);
  process.off('SIGINT', earlyInt);
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
  if (stopRequested) return stop(stopRequested);
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
};
