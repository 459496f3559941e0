import { readFile } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * esbuild leaves template literals alone, so the stylesheet would ship with its comments and
 * indentation. Collapsing them in css`...` (nothing else) saves about 0.4 KB gzipped.
 */
const minifyCssTemplates: Plugin = {
  name: 'minify-css-templates',
  setup(build) {
    build.onLoad({ filter: /\.styles\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replace(/css`([^`]*)`/g, (_, body: string) => {
        const css = body
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .trim();
        return `css\`${css}\``;
      });
      return { contents, loader: 'ts' };
    });
  },
};

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
    esbuildPlugins: [minifyCssTemplates],
    esbuildOptions(options) {
      options.conditions = ['@atrium/source'];
    },
  },
]);
