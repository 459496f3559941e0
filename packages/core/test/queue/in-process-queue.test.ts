import { describe, expect, it } from 'vitest';
import { inProcessQueue } from '../../src/adapters/memory-queue/index.js';
import { eventually, handlersOf, queueContract, queuedJob, sleep } from './contract.js';

queueContract('in-process queue', async ({ concurrency, attempts, backoffMs }) =>
  inProcessQueue({ concurrency, maxAttempts: attempts, backoffMs }),
);

describe('in-process queue', () => {
  it('holds jobs until process() is called', async () => {
    const queue = inProcessQueue();
    const seen: string[] = [];
    const job = queuedJob();
    await queue.enqueue(job);
    await sleep(50);
    expect(seen).toEqual([]);
    await queue.process(handlersOf(async (j) => void seen.push(j.id)));
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([job.id]);
    await queue.close(0);
  });

  it('flags the only attempt as final when maxAttempts is 1', async () => {
    const queue = inProcessQueue({ maxAttempts: 1 });
    const flags: boolean[] = [];
    await queue.process(
      handlersOf(async (_j, ctx) => {
        flags.push(ctx.finalAttempt);
        throw new Error('no');
      }),
    );
    await queue.enqueue(queuedJob());
    await eventually(() => flags.length === 1);
    await sleep(100);
    expect(flags).toEqual([true]);
    await queue.close(0);
  });

  it('does not retry after close', async () => {
    const queue = inProcessQueue({ backoffMs: 100 });
    let calls = 0;
    await queue.process(
      handlersOf(async () => {
        calls++;
        throw new Error('fail');
      }),
    );
    await queue.enqueue(queuedJob());
    await eventually(() => calls === 1);
    await queue.close(0);
    await sleep(400);
    expect(calls).toBe(1);
    await queue.enqueue(queuedJob()); // ignored once closed
    await sleep(50);
    expect(calls).toBe(1);
  });
});
