/**
 * A website on a loopback address for tests of anything that fetches (the safe web
 * fetcher, `{url}` documents, the crawler): real HTTP (`node:http`), every connection
 * counted and every request recorded, so a test can prove an address was never contacted.
 *
 * Loopback is refused by the fetcher unless ATRIUM_CRAWLER_ALLOW_HOSTS opens it: tests
 * open `127.0.0.1` (or the one address they serve on) and nothing else. Linux answers on
 * all of 127.0.0.0/8, so a second "host" is `127.0.0.2`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalSiteRequest {
  method: string;
  /** The path with the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The address the connection was made to (which of the loopback addresses). */
  localAddress: string;
  at: number;
}

export type LocalSiteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LocalSite {
  /** `http://<host>:<port>` (no trailing slash). */
  origin: string;
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests received so far, in order. */
  readonly requests: LocalSiteRequest[];
  /** Requests to `path` (exact, query included) so far. */
  hits(path: string): number;
  close(): Promise<void>;
}

export interface LocalSiteOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default: any free one). */
  port?: number;
}

/** Pages by path (query included): a body (served as HTML), or a handler. Other paths get 404. */
export type LocalPages = Record<string, string | LocalSiteHandler>;

const pagesHandler =
  (pages: LocalPages): LocalSiteHandler =>
  async (req, res) => {
    const page = pages[req.url ?? '/'];
    if (typeof page === 'function') return page(req, res);
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  };

export const startLocalSite = async (pagesOrHandler: LocalPages | LocalSiteHandler, options: LocalSiteOptions = {}): Promise<LocalSite> => {
  const handler = typeof pagesOrHandler === 'function' ? pagesOrHandler : pagesHandler(pagesOrHandler);
  const requests: LocalSiteRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((req, res) => {
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      localAddress: req.socket.localAddress ?? '',
      at: Date.now(),
    });
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    get connections() {
      return connections;
    },
    requests,
    hits: (path) => requests.filter((r) => r.path === path).length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
