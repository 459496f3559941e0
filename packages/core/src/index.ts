export { createCore, type AtriumCore } from './core.js';
export * from './domain/errors.js';
export * from './domain/identity.js';
export * from './domain/spaces.js';
export * from './domain/pagination.js';
export * from './domain/policy.js';
export type * from './ports/index.js';
export * from './services/index.js';
