import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', widget: 'src/widget/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Both entries share the transport, errors and stream code through common chunks (ESM).
  splitting: true,
  target: 'es2022',
  platform: 'neutral',
});
