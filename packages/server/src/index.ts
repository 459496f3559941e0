export { createApp, API_VERSION, type AtriumApp } from './app.js';
export { loadConfig, ConfigError, type Config } from './config.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export { startServer, type RunningServer, type StartOptions } from './server.js';
export { seedDemo, type DemoState, type SeedDemoOptions } from './demo/seed-demo.js';
export { loadWidgetBundle, type WidgetBundle, type MissingWidgetBundle } from './delivery/widget-bundle.js';
export type { AppDeps, AppEnv } from './http/env.js';
export { problemResponse, type Problem } from './http/problem.js';
