/**
 * A fake OpenAI-compatible completion server for tests and benchmarks: real HTTP on an
 * ephemeral port (`node:http`, no framework), so clients exercise their request building,
 * SSE parsing, error handling and cancellation as they do in production.
 *
 * Serves `POST /v1/chat/completions` (streamed or not) and `GET /v1/models`. What a
 * completion request gets is a {@link FakeOpenAIBehavior}, switchable at run time: a
 * deterministic answer (by default), an error, a rate limit, a stall, or a stream that
 * breaks after some chunks. Every request is recorded, with whether the client went away
 * before the response ended (`closedEarly`), so tests can check that cancellation reached
 * the upstream.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat completion request body, as far as the fake reads it. */
export interface FakeChatCompletionBody {
  model?: string;
  messages?: Array<{ role: string; content: unknown }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  [key: string]: unknown;
}

export interface FakeOpenAIRequest {
  method: string;
  /** The path with the query, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
  /** The client disconnected before the response was complete (set once the connection closes). */
  closedEarly: boolean;
}

export interface FakeAnswerOptions {
  /** The answer: fixed text, or computed from the request body. Default `Answer [1].` */
  text?: string | ((body: FakeChatCompletionBody) => string);
  /** Split the text into this many content chunks of about equal length; default one chunk per word. */
  chunks?: number;
  /** Wait before the first chunk (after the headers), in ms. */
  firstChunkDelayMs?: number;
  /** Wait between chunks, in ms. */
  chunkDelayMs?: number;
  /** The finish reason sent after the text (default `stop`; null sends none). */
  finishReason?: string | null;
  /** Overrides the usage reported (default: prompt characters / 4, one completion token per chunk). */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export type FakeOpenAIBehavior =
  /** Answer normally. */
  | ({ type: 'answer' } & FakeAnswerOptions)
  /** Answer with this status and an OpenAI error body (`{ error: { message, type, code, param } }`). */
  | {
      type: 'fail';
      status: number;
      error?: { message?: string; type?: string; code?: string | null; param?: string | null };
      headers?: Record<string, string>;
    }
  /** 429 with `Retry-After` (seconds) and, when given, `retry-after-ms`. */
  /** `retryAfterSeconds: null` sends no Retry-After at all. */
  | { type: 'rateLimit'; retryAfterSeconds?: number | null; retryAfterMs?: number }
  /** Send a 200 and the stream's headers, then nothing until the client disconnects. */
  | { type: 'stall' }
  /** Stream `chunks` content chunks of the answer, then destroy the socket. */
  | ({ type: 'failAfter'; chunks: number } & Omit<FakeAnswerOptions, 'chunks' | 'finishReason' | 'usage'>);

export interface StartFakeOpenAIOptions {
  /**
   * When set, requests must carry `Authorization: Bearer <apiKey>`; others get a 401,
   * which echoes the key they sent, as a careless server might.
   */
  apiKey?: string;
  /** The behaviour for completion requests (default `{ type: 'answer' }`). */
  behavior?: FakeOpenAIBehavior;
  /** The ids `GET /v1/models` lists (default `gpt-4o-mini`). */
  models?: string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
}

export interface FakeOpenAI {
  /** The base URL for clients, ending in `/v1`, e.g. `http://127.0.0.1:54321/v1`. */
  readonly url: string;
  /** Every request received, in order. Clear it with `requests.length = 0`. */
  readonly requests: FakeOpenAIRequest[];
  /** Completion requests whose client disconnected before the response was complete. */
  readonly aborted: number;
  /** The behaviour for completion requests from now on (queued behaviours go first). */
  setBehavior(behavior: FakeOpenAIBehavior): void;
  /** Behaviours for the next completion requests, one each, before the current behaviour applies again. */
  queueBehaviors(...behaviors: FakeOpenAIBehavior[]): void;
  /** Resolves when no response is in progress (a stalled one ends only when its client goes away). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Splits text into one piece per word (spaces kept with the word before), or into `count` about equal pieces. */
export const splitIntoChunks = (text: string, count?: number): string[] => {
  if (!text) return [];
  if (count === undefined) return text.match(/\S+\s*|\s+/g) ?? [text];
  const n = Math.max(1, Math.min(Math.floor(count), text.length));
  const size = Math.ceil(text.length / n);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
};

const DEFAULT_TEXT = 'Answer [1].';

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const promptTokens = (body: FakeChatCompletionBody): number => {
  let chars = 0;
  for (const message of body.messages ?? []) {
    chars += typeof message.content === 'string' ? message.content.length : JSON.stringify(message.content).length;
  }
  return Math.ceil(chars / 4);
};

export const startFakeOpenAI = async (options: StartFakeOpenAIOptions = {}): Promise<FakeOpenAI> => {
  const requests: FakeOpenAIRequest[] = [];
  const queued: FakeOpenAIBehavior[] = [];
  const inFlight = new Set<Promise<void>>();
  let behavior: FakeOpenAIBehavior = options.behavior ?? { type: 'answer' };
  let aborted = 0;
  let sequence = 0;

  const completion = async (req: IncomingMessage, res: ServerResponse, record: FakeOpenAIRequest): Promise<void> => {
    const body = (record.body ?? {}) as FakeChatCompletionBody;
    const current = queued.shift() ?? behavior;
    // Resolves when the connection closes, whoever closed it.
    let closed = false;
    let destroyedByUs = false;
    const gone = new Promise<void>((resolve) =>
      res.once('close', () => {
        closed = true;
        if (!res.writableFinished && !destroyedByUs) {
          record.closedEarly = true;
          aborted++;
        }
        resolve();
      }),
    );
    const wait = (ms: number | undefined) =>
      ms && ms > 0
        ? Promise.race([gone, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())])
        : Promise.resolve();

    if (current.type === 'fail') {
      const error = { message: `fake failure ${current.status}`, type: 'server_error', code: null, param: null, ...current.error };
      return sendJson(res, current.status, { error }, current.headers);
    }
    if (current.type === 'rateLimit') {
      const headers: Record<string, string> = current.retryAfterSeconds === null ? {} : { 'retry-after': String(current.retryAfterSeconds ?? 1) };
      if (current.retryAfterMs !== undefined) headers['retry-after-ms'] = String(current.retryAfterMs);
      const error = { message: 'Rate limit reached (fake)', type: 'requests', code: 'rate_limit_exceeded', param: null };
      return sendJson(res, 429, { error }, headers);
    }

    const id = `chatcmpl-fake-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const model = typeof body.model === 'string' ? body.model : 'fake-model';
    const answer: FakeAnswerOptions =
      current.type === 'answer'
        ? current
        : current.type === 'failAfter'
          ? { text: current.text, firstChunkDelayMs: current.firstChunkDelayMs, chunkDelayMs: current.chunkDelayMs }
          : {};
    const text = typeof answer.text === 'function' ? answer.text(body) : (answer.text ?? DEFAULT_TEXT);
    const pieces = splitIntoChunks(text, answer.chunks);
    const finishReason = answer.finishReason !== undefined ? answer.finishReason : 'stop';
    const usage = answer.usage ?? { prompt_tokens: promptTokens(body), completion_tokens: pieces.length };
    const usageBody = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };

    if (!body.stream) {
      if (current.type === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return gone;
      }
      await wait(answer.firstChunkDelayMs);
      if (closed) return;
      if (current.type === 'failAfter') {
        destroyedByUs = true;
        res.destroy();
        return;
      }
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: finishReason, logprobs: null },
        ],
        usage: usageBody,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    if (current.type === 'stall') return gone;

    const includeUsage = body.stream_options?.include_usage === true;
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      send({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
        ...(includeUsage ? { usage: null } : {}),
      });

    await wait(answer.firstChunkDelayMs);
    if (closed) return;
    chunk({ role: 'assistant', content: '' }, null);
    const count = current.type === 'failAfter' ? Math.min(current.chunks, pieces.length) : pieces.length;
    for (let i = 0; i < count; i++) {
      if (i > 0) await wait(answer.chunkDelayMs);
      if (closed) return;
      chunk({ content: pieces[i] }, null);
    }
    if (current.type === 'failAfter') {
      // Let the chunks reach the client before the connection breaks.
      await wait(answer.chunkDelayMs ?? 10);
      if (closed) return;
      destroyedByUs = true;
      res.destroy();
      return;
    }
    await wait(answer.chunkDelayMs);
    if (closed) return;
    chunk({}, finishReason);
    if (includeUsage) send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageBody });
    res.end('data: [DONE]\n\n');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const record: FakeOpenAIRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, closedEarly: false };
    requests.push(record);
    const auth = req.headers.authorization;
    if (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`) {
      const sent = auth?.replace(/^Bearer\s+/i, '') ?? '';
      const error = { message: `Incorrect API key provided: ${sent}.`, type: 'invalid_request_error', code: 'invalid_api_key', param: null };
      return sendJson(res, 401, { error });
    }
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      const data = (options.models ?? ['gpt-4o-mini']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' }));
      return sendJson(res, 200, { object: 'list', data });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return completion(req, res, record);
    const error = { message: `Unknown request: ${req.method} ${path}`, type: 'invalid_request_error', code: 'unknown_url', param: null };
    return sendJson(res, 404, { error });
  };

  const server: Server = createServer((req, res) => {
    const done = handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: String(error), type: 'server_error' } });
        else res.destroy();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}/v1`,
    requests,
    get aborted() {
      return aborted;
    },
    setBehavior: (next) => {
      behavior = next;
    },
    queueBehaviors: (...next) => {
      queued.push(...next);
    },
    settled: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
