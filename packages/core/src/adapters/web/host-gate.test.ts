import { describe, expect, it } from 'vitest';
import { hostGate } from './host-gate.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('hostGate', () => {
  it('lets at most `concurrency` in per host, first come first served, other hosts unaffected', async () => {
    const gate = hostGate({ concurrency: 2, delayMs: 0 });
    const order: string[] = [];
    const take = (host: string, name: string) => gate.acquire(host, undefined).then((release) => (order.push(name), release));
    const a = await take('a.example', 'a1');
    const b = await take('a.example', 'a2');
    const third = take('a.example', 'a3');
    const fourth = take('a.example', 'a4');
    const other = await take('b.example', 'b1');
    await tick();
    expect(order).toEqual(['a1', 'a2', 'b1']);
    b();
    await third;
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3']);
    a();
    await fourth;
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    other();
  });

  it('spaces starts by the delay, a longer host delay, and a pause', async () => {
    const gate = hostGate({ concurrency: 5, delayMs: 40 });
    const started: number[] = [];
    const start = async () => {
      const release = await gate.acquire('h', undefined);
      started.push(Date.now());
      release();
    };
    await Promise.all([start(), start(), start()]);
    for (let i = 1; i < started.length; i++) expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(35);

    gate.setDelay('h', 120); // robots.txt crawl-delay
    const before = Date.now();
    await start();
    await start();
    expect(started.at(-1)! - started.at(-2)!).toBeGreaterThanOrEqual(115);

    gate.pause('h', 200); // Retry-After
    await start();
    expect(started.at(-1)! - before).toBeGreaterThanOrEqual(195);
  });

  it('gives up a wait when the caller aborts, without taking a turn', async () => {
    const gate = hostGate({ concurrency: 1, delayMs: 0 });
    const held = await gate.acquire('h', undefined);
    const controller = new AbortController();
    const waiting = gate.acquire('h', controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    held();
    const next = await gate.acquire('h', undefined);
    next();
    await expect(gate.acquire('h', AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
