// Serves index.html over HTTP (a widget needs a real origin; file:// pages have none), with
// the snippet's server URL and key taken from ATRIUM_URL and ATRIUM_WIDGET_KEY when set.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const page = await readFile(new URL('./index.html', import.meta.url), 'utf8');
const atriumUrl = (process.env.ATRIUM_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const key = process.env.ATRIUM_WIDGET_KEY ?? 'atr_pk_REPLACE_WITH_YOUR_KEY';
const html = page.replace('http://localhost:3000', atriumUrl).replace('atr_pk_REPLACE_WITH_YOUR_KEY', key);

const server = createServer((req, res) => {
  if (req.url === '/' || req.url === '/index.html') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
});
server.listen(Number(process.env.PORT ?? 8080), 'localhost', () => {
  console.log(`Serving the script-tag example on http://localhost:${server.address().port}`);
});
