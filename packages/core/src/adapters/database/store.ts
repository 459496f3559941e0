import type { Store, SystemRepository, TenantRepositories } from '../../ports/index.js';
import type { AtriumDb } from './connect.js';
import { systemRepository } from './repositories/system.js';
import { tenantRepositories } from './repositories/tenant.js';
import type { SearchTuning } from './repositories/knowledge.js';
import { mapErrors } from './repositories/shared.js';

/** Wraps every repository method so constraint violations surface as domain errors. */
const withErrorMapping = <T extends object>(target: T): T =>
  new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value === 'function') return (...args: unknown[]) => mapErrors(() => value.apply(obj, args));
      if (value && typeof value === 'object' && !(value instanceof Date)) return withErrorMapping(value);
      return value;
    },
  });

/** The `Store` port over drizzle, for PostgreSQL and PGlite alike. */
export const createDatabaseStore = (db: AtriumDb, tuning: SearchTuning = {}): Store => {
  const system: SystemRepository = withErrorMapping(systemRepository(db, tuning));
  return {
    system,
    forTenant: (tenantId: string): TenantRepositories => withErrorMapping(tenantRepositories(db, tenantId, tuning)),
    transaction: (fn) =>
      mapErrors(() => db.transaction((tx) => fn(createDatabaseStore(tx as unknown as AtriumDb, tuning)))),
  };
};
