import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The npm entry: ESM, with lit, the SDK and the Markdown parser left as imports.
    entry: { index: 'src/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
  },
  {
    // The script-tag bundle: a classic script (IIFE), not a module, so that
    // `document.currentScript` names the <script> while it runs, even with `async`.
    // Everything is inlined; the SDK from its TypeScript source, so no build order matters.
    entry: { widget: 'src/loader.ts' },
    format: ['iife'],
    outExtension: () => ({ js: '.js' }),
    platform: 'browser',
    target: 'es2021',
    minify: true,
    noExternal: [/.*/],
    dts: false,
    sourcemap: false,
    esbuildOptions(options) {
      options.conditions = ['@atrium/source'];
    },
  },
]);
