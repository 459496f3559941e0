import { AtriumError } from './core/errors.js';
import type { RequestOptions, TransportConfig } from './internal/request.js';
import { call } from './internal/resource.js';
import { ApiKeys } from './resources/api-keys.js';
import { Assistants } from './resources/assistants.js';
import { Collections } from './resources/collections.js';
import { Conversations, Messages } from './resources/conversations.js';
import { Documents } from './resources/documents.js';
import { Jobs } from './resources/jobs.js';
import { Models, Usage } from './resources/models.js';
import { Spaces } from './resources/spaces.js';
import { Users } from './resources/users.js';
import { Websites } from './resources/websites.js';
import type { Me } from './types.js';
import { VERSION } from './version.js';

export interface ClientOptions {
  /** An API key (`atr_sk_...`). Defaults to the `ATRIUM_API_KEY` environment variable where there is one. */
  apiKey?: string | undefined;
  /** A user access token (JWT from `/api/v1/auth/login`), in place of an API key. */
  accessToken?: string | undefined;
  /** Defaults to `ATRIUM_BASE_URL`, else `http://localhost:3000`. */
  baseURL?: string | undefined;
  /** Milliseconds to wait for a response, per attempt (default 60 000). */
  timeout?: number | undefined;
  /** Retries after a connection error, 408, 409, 429 or ≥ 500 (default 2). */
  maxRetries?: number | undefined;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch | undefined;
  /** Sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
}

/** `process.env` where it exists (Node, Bun, Deno), without importing anything. */
const env = (name: string): string | undefined => {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name] || undefined;
  } catch {
    return undefined; // Deno without --allow-env throws rather than answering
  }
};

/** The Atrium API: `new Atrium({ apiKey, baseURL })`, then `atrium.spaces.list()` and so on. */
export class Atrium {
  static readonly VERSION = VERSION;

  readonly baseURL: string;
  readonly timeout: number;
  readonly maxRetries: number;

  readonly users: Users;
  readonly apiKeys: ApiKeys;
  readonly spaces: Spaces;
  readonly collections: Collections;
  readonly documents: Documents;
  readonly websites: Websites;
  readonly jobs: Jobs;
  readonly assistants: Assistants;
  readonly conversations: Conversations;
  readonly messages: Messages;
  readonly models: Models;
  readonly usage: Usage;

  #transport: TransportConfig;

  constructor(options: ClientOptions = {}) {
    const token = options.accessToken ?? options.apiKey ?? env('ATRIUM_API_KEY');
    if (!token) throw new AtriumError('Pass `apiKey` or `accessToken` (or set ATRIUM_API_KEY)');
    this.baseURL = options.baseURL ?? env('ATRIUM_BASE_URL') ?? 'http://localhost:3000';
    this.timeout = options.timeout ?? 60_000;
    this.maxRetries = options.maxRetries ?? 2;
    const fetchImpl = options.fetch ?? globalThis.fetch;
    const headers = { ...options.defaultHeaders, Authorization: `Bearer ${token}` };
    this.#transport = {
      baseURL: this.baseURL,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
      // Bound: a bare `window.fetch` called as a method throws "Illegal invocation".
      fetch: (input, init) => fetchImpl(input, init),
      headers: () => headers,
    };
    const t = this.#transport;
    this.users = new Users(t);
    this.apiKeys = new ApiKeys(t);
    this.spaces = new Spaces(t);
    this.collections = new Collections(t);
    this.documents = new Documents(t);
    this.websites = new Websites(t);
    this.jobs = new Jobs(t);
    this.assistants = new Assistants(t);
    this.conversations = new Conversations(t);
    this.messages = new Messages(t);
    this.models = new Models(t);
    this.usage = new Usage(t);
  }

  /** The caller: its user and tenant. */
  me(options?: RequestOptions): Promise<Me> {
    return call(this.#transport, 'GET', '/api/v1/me', {}, options);
  }
}
