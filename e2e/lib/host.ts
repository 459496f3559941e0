import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A page the host server answers: its HTML, and headers such as a CSP. */
export interface HostPage {
  html: string;
  headers?: Record<string, string>;
}

export interface HostServer {
  /** `http://localhost:<port>`: another origin than Atrium's `127.0.0.1`. */
  url: string;
  /** Serves `page` at `path` (replacing what was there). */
  set(path: string, page: HostPage): string;
  close(): Promise<void>;
}

/**
 * CSS a careless or hostile host page might have: it must not reach into the widget, whose
 * own styles must not leak out either.
 */
export const HOSTILE_CSS = `* { all: unset; font-size: 40px !important; font-family: "Comic Sans MS", fantasy !important; color: #0f0 !important; }
button { display: none !important; }
textarea, input { visibility: hidden !important; }
html, body { display: block; background: #400 !important; }
`;

/** The strict policy of the host pages: only Atrium's origin may run scripts or be called; styles only from the page's own origin. */
export const strictCsp = (atriumOrigin: string): string =>
  `default-src 'none'; script-src ${atriumOrigin}; connect-src ${atriumOrigin}; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'`;

/** A host page server on `localhost` (Atrium listens on 127.0.0.1): pages, and `/hostile.css`. */
export const startHostServer = async (): Promise<HostServer> => {
  const pages = new Map<string, HostPage>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    if (path === '/hostile.css') {
      res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' }).end(HOSTILE_CSS);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const page = pages.get(path);
    if (!page) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...page.headers }).end(page.html);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url,
    set(path, page) {
      pages.set(path, page);
      return `${url}${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const escape = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** A host page: hostile CSS, some text, and `body` (the embed), with nothing inline. */
export const hostPage = (body: string, title = 'Host page'): string => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escape(title)}</title>
  <link rel="stylesheet" href="/hostile.css">
</head>
<body>
  <h1>${escape(title)}</h1>
  <p>A shop page with its own, aggressive, styles.</p>
  <button id="host-button">The host's own button</button>
  ${body}
</body>
</html>
`;

/** The script-tag embed, as a site pastes it, with `data-*` attributes. */
export const scriptTag = (src: string, data: Record<string, string | boolean>): string => {
  const attributes = Object.entries(data)
    .map(([name, value]) => (value === true ? ` data-${name}` : ` data-${name}="${escape(String(value))}"`))
    .join('');
  return `<script src="${escape(src)}"${attributes} async></script>`;
};

/** `<atrium-chat>` with attributes. */
export const chatElement = (attributes: Record<string, string | boolean>): string =>
  `<atrium-chat${Object.entries(attributes)
    .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escape(String(value))}"`))
    .join('')}></atrium-chat>`;
