/** A fetch that records each request and answers from a script, one reply per call. */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  signal: AbortSignal | null | undefined;
}

export type Reply = Response | Error | ((request: RecordedRequest) => Response | Promise<Response>);

export interface MockFetch {
  fetch: typeof fetch;
  requests: RecordedRequest[];
}

export const mockFetch = (...replies: Reply[]): MockFetch => {
  const requests: RecordedRequest[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: RecordedRequest = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body,
      signal: init?.signal,
    };
    requests.push(request);
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${request.method} ${request.url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(request) : reply;
  }) as typeof fetch;
  return { fetch: fetchImpl, requests };
};

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

export const problem = (status: number, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify({ type: 'about:blank', title: 'Error', status, detail: `failed with ${status}`, code: `code_${status}`, ...fields }), {
    status,
    headers: { 'Content-Type': 'application/problem+json', 'X-Request-Id': `req-${status}`, ...headers },
  });

/** A text/event-stream response whose body arrives in the given chunks. */
export const sse = (chunks: string[], onCancel?: () => void): Response => {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else controller.close();
    },
    cancel() {
      onCancel?.();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
};

/** The SSE text of one event. */
export const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
