// Serves dist/ (after `node build.mjs`) on http://localhost:PORT.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const FILES = new Set(['index.html', 'app.js', 'app.css']);

const server = createServer(async (req, res) => {
  const name = req.url === '/' ? 'index.html' : (req.url ?? '').slice(1);
  if (!FILES.has(name)) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  const body = await readFile(new URL(`./dist/${name}`, import.meta.url));
  res.writeHead(200, { 'Content-Type': TYPES[name.slice(name.lastIndexOf('.'))] }).end(body);
});
server.listen(Number(process.env.PORT ?? 5173), 'localhost', () => {
  console.log(`Serving the React example on http://localhost:${server.address().port}`);
});
