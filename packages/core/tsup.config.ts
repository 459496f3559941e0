import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    database: 'src/adapters/database/index.ts',
    node: 'src/adapters/node/index.ts',
    test: 'src/test/index.ts',
    extraction: 'src/adapters/extraction/index.ts',
    // Started by the extraction adapter as a worker thread (new URL('./extractor-worker.js', import.meta.url)).
    'extractor-worker': 'src/adapters/extraction/extractor-worker.ts',
    local: 'src/adapters/local/index.ts',
    openai: 'src/adapters/openai/index.ts',
    bullmq: 'src/adapters/bullmq/index.ts',
    web: 'src/adapters/web/index.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
