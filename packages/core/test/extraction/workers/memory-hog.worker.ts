/** Test double for a parser that keeps allocating (a decompression or recursion bomb). */
const hoard: unknown[] = [];
for (;;) hoard.push(Array.from({ length: 10_000 }, (_, i) => ({ i, text: `row ${i}` })));
