let primed: Promise<void> | undefined;

const batch = (calls: number) =>
  new Promise<void>((resolve) => {
    let left = calls;
    const done = () => {
      if (--left === 0) resolve();
    };
    for (let i = 0; i < calls; i++) process.nextTick(done);
  });

/**
 * Calls `process.nextTick` often enough, over several turns of the event loop, for V8 to
 * optimise it; once per process, before the first PGlite is created (ADR 0021).
 *
 * Why: after PGlite has loaded an extension (pgvector, btree_gin), Node's `nextTick`, which
 * its HTTP and stream code call several times per request, builds its tick object through
 * V8's runtime (`Runtime_DefineKeyedOwnPropertyInLiteral`) instead of optimised code, unless
 * it was optimised before. Measured on a bare Hono hello-world sharing the process with such
 * a PGlite: 11.4 µs of CPU per request unprimed, 8.1–8.3 µs primed, 7.9 µs without PGlite.
 * Priming costs a few milliseconds at start-up. Several batches, because V8 compiles in the
 * background and installs the optimised code between turns of the loop; a single batch of
 * the same size was measured not to be enough.
 */
export const primeNextTick = (): Promise<void> => {
  primed ??= (async () => {
    for (let i = 0; i < 10; i++) {
      await batch(2000);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  })();
  return primed;
};
