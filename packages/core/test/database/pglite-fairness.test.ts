/**
 * Embedded PGlite runs in the server's own thread: each query is synchronous WebAssembly.
 * Queued queries must not run back to back without letting the event loop turn, or a
 * burst of chats starves every socket (streams stall, upstream requests time out: the
 * 200-chat benchmark saw the event loop blocked for 4 s and two upstream fetches fail).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/adapters/database/index.js';

describe('embedded PGlite lets the event loop turn between queries', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('a timer callback runs while a burst of queued queries is worked through', async () => {
    const QUERIES = 40;
    let completed = 0;
    let completedWhenTimerRan: number | null = null;
    setImmediate(() => (completedWhenTimerRan = completed));
    await Promise.all(
      Array.from({ length: QUERIES }, () =>
        database.db.execute(sql`select count(*) from generate_series(1, 2000)`).then(() => (completed += 1)),
      ),
    );
    expect(completed).toBe(QUERIES);
    expect(completedWhenTimerRan).not.toBeNull();
    expect(completedWhenTimerRan!).toBeLessThan(QUERIES / 2);
  });

  it('the same holds inside a transaction', async () => {
    let completed = 0;
    let completedWhenTimerRan: number | null = null;
    await database.db.transaction(async (tx) => {
      setImmediate(() => (completedWhenTimerRan = completed));
      for (let i = 0; i < 20; i++) {
        await tx.execute(sql`select count(*) from generate_series(1, 2000)`);
        completed += 1;
      }
    });
    expect(completedWhenTimerRan).not.toBeNull();
    expect(completedWhenTimerRan!).toBeLessThan(20);
  });
});
