/** One server-sent event: its name (`message` when unnamed), data lines joined by \n, and id. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * An incremental parser for `text/event-stream` (the WHATWG rules): lines end in CRLF,
 * LF or CR, `:` starts a comment, one space after the colon is dropped, several `data:`
 * lines join with \n, and a blank line dispatches. Feed it text as it arrives, in any
 * split; `end()` dispatches a last event the stream did not close with a blank line.
 */
export class SSEDecoder {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #started = false;

  push(text: string): ServerSentEvent[] {
    if (!this.#started && text) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      // A CR as the last character may be the first half of a CRLF split across chunks.
      if (!match || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  end(): ServerSentEvent[] {
    const events = this.#buffer ? this.push('\n') : [];
    const last = this.#dispatch();
    return last ? [...events, last] : events;
  }

  #line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event = this.#data.length ? { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id } : undefined;
    this.#event = '';
    this.#data = [];
    return event;
  }
}

/** The events of a response body, as they arrive. */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const decoder = new SSEDecoder();
  const text = new TextDecoder();
  const reader = body.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      ended = done;
      if (done) break;
      yield* decoder.push(text.decode(value, { stream: true }));
    }
    yield* decoder.push(text.decode());
    yield* decoder.end();
  } finally {
    // Left early (a `break`): cancel the body, so the connection closes even on a fetch that ignores aborts.
    if (ended) reader.releaseLock();
    else await reader.cancel().catch(() => {});
  }
}
