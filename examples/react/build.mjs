// Builds the page into dist/ with esbuild: JSX, React and the widget in one ES module.
// ATRIUM_URL and ATRIUM_WIDGET_KEY are read now and written into the bundle.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const here = (path) => new URL(path, import.meta.url).pathname;
const env = {
  ATRIUM_URL: (process.env.ATRIUM_URL ?? 'http://localhost:3000').replace(/\/$/, ''),
  ATRIUM_WIDGET_KEY: process.env.ATRIUM_WIDGET_KEY ?? 'atr_pk_REPLACE_WITH_YOUR_KEY',
};

await mkdir(here('dist'), { recursive: true });
await build({
  entryPoints: [here('src/main.jsx')],
  outfile: here('dist/app.js'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2022',
  jsx: 'automatic',
  logLevel: 'warning',
  define: {
    'process.env.NODE_ENV': '"production"',
    'process.env.ATRIUM_URL': JSON.stringify(env.ATRIUM_URL),
    'process.env.ATRIUM_WIDGET_KEY': JSON.stringify(env.ATRIUM_WIDGET_KEY),
  },
});
await copyFile(here('index.html'), here('dist/index.html'));
await copyFile(here('app.css'), here('dist/app.css'));
console.log(`Built dist/ for ${env.ATRIUM_URL}`);
