// Configuration is shared by the server and the worker, so it lives in core's Node adapter.
export { loadConfig, ConfigError, type Config } from '@atrium/core/node';
