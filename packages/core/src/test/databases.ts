import pg from 'pg';

/**
 * The databases integration suites run against: PGlite always; real PostgreSQL when
 * `DATABASE_URL` points at a reachable server. With `CI=true` an unreachable
 * PostgreSQL fails the run instead of being skipped.
 */
export interface TestDatabaseTarget {
  name: 'pglite' | 'postgres';
  /** Creates an empty database for one suite; returns its URL (undefined for PGlite) and a cleanup. */
  create(): Promise<{ databaseUrl: string | undefined; dataDir: string; drop(): Promise<void> }>;
}

const adminUrl = (): string | undefined => process.env.ATRIUM_TEST_DATABASE_URL ?? process.env.DATABASE_URL;

const reachable = async (url: string): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
};

const withDatabase = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

const pgliteTarget: TestDatabaseTarget = {
  name: 'pglite',
  create: async () => ({ databaseUrl: undefined, dataDir: 'memory://', drop: async () => {} }),
};

const postgresTarget = (url: string): TestDatabaseTarget => ({
  name: 'postgres',
  async create() {
    const name = `atrium_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    return {
      databaseUrl: withDatabase(url, name),
      dataDir: 'memory://',
      async drop() {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop database if exists "${name}" with (force)`);
        await c.end();
      },
    };
  },
});

export const testDatabaseTargets = async (): Promise<TestDatabaseTarget[]> => {
  const url = adminUrl();
  const required = process.env.CI === 'true';
  if (!url) {
    if (required) throw new Error('CI=true but DATABASE_URL is not set: PostgreSQL tests are required in CI');
    return [pgliteTarget];
  }
  if (!(await reachable(url))) {
    if (required) throw new Error(`CI=true but PostgreSQL at DATABASE_URL is unreachable`);
    return [pgliteTarget];
  }
  return [pgliteTarget, postgresTarget(url)];
};
