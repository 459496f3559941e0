import { AtriumError } from './errors.js';

/** What every list endpoint answers (API.md §Conventions). */
export interface PageBody<T> {
  data: T[];
  nextCursor: string | null;
}

type FetchPage<T> = (cursor: string | undefined) => Promise<PageBody<T>>;

/** One page of a list; iterating it with `for await` walks this page and every later one. */
export class Page<T> implements AsyncIterable<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
  #fetch: FetchPage<T>;

  constructor(body: PageBody<T>, fetchPage: FetchPage<T>) {
    this.data = body.data;
    this.nextCursor = body.nextCursor;
    this.#fetch = fetchPage;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null && this.nextCursor !== undefined;
  }

  async getNextPage(): Promise<Page<T>> {
    if (!this.hasNextPage()) throw new AtriumError('This is the last page; check hasNextPage() first');
    return new Page(await this.#fetch(this.nextCursor!), this.#fetch);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* this.data;
    if (this.hasNextPage()) yield* await this.getNextPage();
  }
}

/**
 * What a list method returns: await it for the first page, or `for await` over it for
 * every item of every page. The first request goes out when either happens, once.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #fetch: FetchPage<T>;
  #first: Promise<Page<T>> | undefined;

  constructor(fetchPage: FetchPage<T>) {
    this.#fetch = fetchPage;
  }

  #page(): Promise<Page<T>> {
    return (this.#first ??= this.#fetch(undefined).then((body) => new Page(body, this.#fetch)));
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#page().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#page().catch(onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.#page();
  }
}
