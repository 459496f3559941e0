import { afterEach, describe, expect, it, vi } from 'vitest';

describe('primeNextTick', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('calls process.nextTick 20000 times over ten turns of the event loop, once per process', async () => {
    const { primeNextTick } = await import('./prime-next-tick.js');
    const nextTick = vi.spyOn(process, 'nextTick');
    const immediate = vi.spyOn(globalThis, 'setImmediate');
    const first = primeNextTick();
    expect(primeNextTick()).toBe(first);
    await first;
    const primingCalls = nextTick.mock.calls.filter(([callback]) => callback.name === 'done').length;
    expect(primingCalls).toBe(20_000);
    expect(immediate.mock.calls.length).toBeGreaterThanOrEqual(10);
    await primeNextTick();
    expect(nextTick.mock.calls.filter(([callback]) => callback.name === 'done').length).toBe(20_000);
  });
});
