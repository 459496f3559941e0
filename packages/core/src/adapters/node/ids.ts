import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdGenerator } from '../../ports/index.js';

/** UUIDv7: unique without coordination and time-ordered, so b-tree inserts stay local. */
export const uuidV7Ids = (): IdGenerator => ({ next: () => uuidv7() });

export const systemClock = (): Clock => ({ now: () => new Date() });
