/**
 * The subject: Atrium's real server (startServer from @atrium/server), configured from the
 * environment exactly as the CLI is (PORT, ATRIUM_DATA_DIR, DATABASE_URL, ATRIUM_ADMIN_*,
 * ATRIUM_LOG_LEVEL), in its own process. Prints `{"ready":true,"port":N,"driver":...}`.
 */
import { createLogger, loadConfig, startServer } from '@atrium/server';

const config = loadConfig();
const running = await startServer(config, createLogger(config.logLevel));
process.stdout.write(`${JSON.stringify({ ready: true, port: running.port, driver: running.instance.database.driver })}\n`);
process.once('SIGTERM', () => {
  running
    .shutdown(5_000)
    .then(() => process.exit(0))
    .catch(() => process.exit(1));
});
