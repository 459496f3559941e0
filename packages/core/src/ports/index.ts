export type * from './store.js';
export type * from './services.js';
