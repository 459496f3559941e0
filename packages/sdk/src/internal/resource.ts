import { PagePromise, type PageBody } from '../core/pagination.js';
import { ChatStream } from '../core/streaming.js';
import { requestJSON, send, type HttpMethod, type RequestOptions, type TransportConfig } from './request.js';

/** The base of every resource class: the client's transport, and the calls they share. */
export abstract class APIResource {
  /** @internal */
  protected readonly _transport: TransportConfig;

  constructor(transport: TransportConfig) {
    this._transport = transport;
  }
}

export const call = <T>(
  transport: TransportConfig,
  method: HttpMethod,
  path: string,
  init: { query?: object | undefined; body?: unknown } = {},
  options?: RequestOptions,
): Promise<T> => requestJSON<T>(transport, { method, path, ...init }, options);

export const list = <T>(transport: TransportConfig, path: string, query: object | undefined, options?: RequestOptions): PagePromise<T> =>
  new PagePromise<T>((cursor) =>
    requestJSON<PageBody<T>>(transport, { method: 'GET', path, query: { ...query, ...(cursor !== undefined && { cursor }) } }, options),
  );

export const stream = async (transport: TransportConfig, path: string, body: unknown, options?: RequestOptions): Promise<ChatStream> => {
  const { response, controller, release } = await send(transport, { method: 'POST', path, body, accept: 'text/event-stream' }, options);
  return new ChatStream(response, controller, release);
};
