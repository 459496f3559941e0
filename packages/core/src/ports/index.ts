export type * from './store.js';
export type * from './services.js';
export type * from './models.js';
export type * from './ingestion.js';
export type * from './jobs.js';
export type * from './knowledge-store.js';
export type * from './cache.js';
