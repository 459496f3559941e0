import { createCore, type AtriumCore } from '../../core.js';
import { DEFAULT_SETTINGS, type CoreSettings } from '../../services/context.js';
import { randomBase62 } from '../../services/shared/secrets.js';
import { createDatabaseStore, openDatabase, type Database } from '../database/index.js';
import type { Clock, IdGenerator, LoginThrottle, PasswordHasher } from '../../ports/index.js';
import { bcryptHasher } from './bcrypt-hasher.js';
import { uuidV7Ids, systemClock } from './ids.js';
import { joseAccessTokens } from './jose-access-tokens.js';
import { loginThrottle } from './login-throttle.js';

export interface CreateAtriumOptions {
  /** PostgreSQL URL (connected mode); unset → PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Embedded data directory (PGlite lives in `<dataDir>/db`), or `memory://`. */
  dataDir?: string | undefined;
  /** Access-token signing secret; unset → generated once and kept in the database. */
  jwtSecret?: string | undefined;
  bcryptCost?: number;
  migrate?: boolean;
  settings?: Partial<CoreSettings>;
  clock?: Clock;
  ids?: IdGenerator;
  hasher?: PasswordHasher;
  loginThrottle?: LoginThrottle;
}

export interface AtriumInstance {
  core: AtriumCore;
  database: Database;
  close(): Promise<void>;
}

const JWT_SECRET_SETTING = 'jwt_secret';

/** Composes a core on Node: the configured database, bcrypt, jose, UUIDv7 ids. */
export const createAtrium = async (options: CreateAtriumOptions = {}): Promise<AtriumInstance> => {
  const dataDir = options.dataDir ?? './.atrium';
  const database = await openDatabase({
    url: options.databaseUrl,
    dataDir: dataDir.startsWith('memory://') ? dataDir : `${dataDir.replace(/\/$/, '')}/db`,
  });
  try {
    if (options.migrate ?? true) await database.migrate();
    const store = createDatabaseStore(database.db);
    // Replicas share the database, so a generated secret is stored there, once.
    const secret = options.jwtSecret ?? (await store.system.setSettingIfAbsent(JWT_SECRET_SETTING, randomBase62(64)));
    const core = createCore({
      store,
      clock: options.clock ?? systemClock(),
      ids: options.ids ?? uuidV7Ids(),
      hasher: options.hasher ?? bcryptHasher(options.bcryptCost ?? 12),
      accessTokens: joseAccessTokens({ secret }),
      loginThrottle: options.loginThrottle ?? loginThrottle(),
      settings: { ...DEFAULT_SETTINGS, ...options.settings },
    });
    return { core, database, close: () => database.close() };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
};
