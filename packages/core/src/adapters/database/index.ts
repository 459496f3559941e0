export { openDatabase, type AtriumDb, type Database, type DatabaseOptions } from './connect.js';
export { createDatabaseStore } from './store.js';
export * as schema from './schema/index.js';
export type { SearchTuning } from './repositories/knowledge.js';
export { alignVectorIndexes, graphPrecisionFor, type GraphPrecision } from './vector-index.js';
