import { mkdirSync } from 'node:fs';
import { PGlite, types, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { AtriumDb, Database } from './connect.js';
import { migrationsFolder } from './migrations-folder.js';
import * as schema from './schema/index.js';

const asText = (value: string) => value;

/**
 * The types drizzle's PGlite driver wants as text (it maps dates itself), exactly the
 * `parsers` it sends along with every query (drizzle-orm 0.45, pglite/session.js).
 */
const DRIZZLE_PARSERS: Record<number, (value: string) => unknown> = {
  [types.TIMESTAMP]: asText,
  [types.TIMESTAMPTZ]: asText,
  [types.INTERVAL]: asText,
  [types.DATE]: asText,
  1231: asText, // numeric[]
  1115: asText, // timestamp[]
  1185: asText, // timestamptz[]
  1187: asText, // interval[]
  1182: asText, // date[]
};
const DRIZZLE_TYPES = Object.keys(DRIZZLE_PARSERS).join(',');

// drizzle makes one `parsers` object per query it builds (one per prepared query).
const coveredParsers = new WeakMap<object, boolean>();
const isCovered = (parsers: object): boolean => {
  let covered = coveredParsers.get(parsers);
  if (covered === undefined) {
    covered = Object.keys(parsers).join(',') === DRIZZLE_TYPES;
    coveredParsers.set(parsers, covered);
  }
  return covered;
};

/**
 * PGlite merges per-query `parsers` into a fresh copy of its ~300 default parsers on every
 * query (`{ ...defaults, ...options.parsers }`), which cost 0.1–0.2 ms per query. Those
 * parsers are installed once, at `PGlite.create`, and dropped from the queries: same result,
 * no copy. Parsers other than drizzle's known set (a future drizzle) are passed on as they are.
 */
const withoutKnownParsers = (options: QueryOptions | undefined): QueryOptions | undefined => {
  if (!options?.parsers || !isCovered(options.parsers)) return options;
  const { parsers: _installed, ...rest } = options;
  return rest;
};

type Queryable = Pick<PGlite, 'query'>;

/**
 * PGlite runs each query as synchronous WebAssembly in this thread, and its queue hands
 * the next query over in a microtask: a burst of queries (200 chats at once) never let
 * the event loop turn, so sockets starved for seconds and upstream requests failed.
 * Waiting for the loop's next turn before each query lets I/O through between them; it
 * costs microseconds when nothing else is waiting.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * What drizzle calls on its PGlite client (`query`, `transaction`), minus the per-query
 * parsers, and taking turns with the event loop.
 */
const drizzleClient = (client: PGlite): PGlite => {
  const query =
    (target: Queryable): PGlite['query'] =>
    async (sql, params, options) => {
      await nextTurn();
      return target.query(sql, params, withoutKnownParsers(options));
    };
  const wrapTransaction = (tx: Transaction): Transaction => {
    // The transaction's own methods are closures: delegate everything but `query`.
    const wrapped = Object.create(tx) as Transaction;
    wrapped.query = query(tx);
    return wrapped;
  };
  const wrapper = {
    query: query(client),
    transaction: <T>(fn: (tx: Transaction) => Promise<T>) => client.transaction((tx) => fn(wrapTransaction(tx))),
  };
  return wrapper as unknown as PGlite;
};

export const openPglite = async (dataDir: string): Promise<Database> => {
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(inMemory ? undefined : dataDir, { extensions: { vector, btree_gin }, parsers: DRIZZLE_PARSERS });
  const forDrizzle = drizzleClient(client);
  const db = drizzle({ client: forDrizzle, schema }) as unknown as AtriumDb;
  return {
    driver: 'pglite',
    db,
    async migrate() {
      await migrate(drizzle({ client: forDrizzle }), { migrationsFolder: migrationsFolder() });
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
};
