/**
 * A tiny OpenAI-compatible server for tests: real HTTP on an ephemeral port, so the
 * official client's request building, headers and error parsing are exercised as they
 * are in production. Only what our adapters call is implemented.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface FakeOpenAI {
  /** e.g. `http://127.0.0.1:54321/v1`, for the client's `baseURL`. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Answer the next `times` requests with `status` (429 carries `retry-after-ms: 1`). */
  failNext(times: number, status: number, headers?: Record<string, string>): void;
  /** Return vectors of this length whatever was asked (to test validation). */
  forceDimensions(dimensions: number | null): void;
  close(): Promise<void>;
}

/** A deterministic, non-normalised vector for `text`, so tests can predict outputs. */
export const fakeVector = (text: string, dimensions: number): number[] => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return Array.from({ length: dimensions }, (_, i) => ((((h + i * 2654435761) >>> 0) % 1000) + 1) / 100);
};

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
};

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

export const startFakeOpenAI = async (options: { defaultDimensions?: number; apiKey?: string } = {}): Promise<FakeOpenAI> => {
  const defaultDimensions = options.defaultDimensions ?? 8;
  const requests: RecordedRequest[] = [];
  const failures: Array<{ status: number; headers: Record<string, string> }> = [];
  let forced: number | null = null;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        return send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      }
      const failure = failures.shift();
      if (failure) {
        return send(res, failure.status, { error: { message: `fake failure ${failure.status}`, type: 'server_error' } }, failure.headers);
      }
      if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(res, 404, { error: { message: 'not found' } });

      const { input, model, dimensions } = body as { input: string | string[]; model: string; dimensions?: number };
      const inputs = Array.isArray(input) ? input : [input];
      const size = forced ?? dimensions ?? defaultDimensions;
      send(res, 200, {
        object: 'list',
        model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeVector(text, size) })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      });
    })().catch((error: unknown) => send(res, 500, { error: { message: String(error) } }));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    failNext: (times, status, headers) => {
      const defaults: Record<string, string> = status === 429 ? { 'retry-after-ms': '1' } : {};
      for (let i = 0; i < times; i++) failures.push({ status, headers: headers ?? defaults });
    },
    forceDimensions: (dimensions) => {
      forced = dimensions;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
