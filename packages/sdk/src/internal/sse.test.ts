import { describe, expect, it } from 'vitest';
import { readEvents, SSEDecoder, type ServerSentEvent } from './sse.js';

const parse = (...chunks: string[]): ServerSentEvent[] => {
  const decoder = new SSEDecoder();
  return [...chunks.flatMap((c) => decoder.push(c)), ...decoder.end()];
};

describe('SSEDecoder', () => {
  it('reads a named event with its data and id', () => {
    expect(parse('id: 7\nevent: delta\ndata: {"text":"hi"}\n\n')).toEqual([{ event: 'delta', data: '{"text":"hi"}', id: '7' }]);
  });

  it('joins several data lines with a newline', () => {
    expect(parse('data: one\ndata: two\ndata:three\n\n')).toEqual([{ event: 'message', data: 'one\ntwo\nthree', id: undefined }]);
  });

  it('accepts CRLF and lone CR line endings', () => {
    expect(parse('event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r')).toEqual([
      { event: 'a', data: '1', id: undefined },
      { event: 'b', data: '2', id: undefined },
    ]);
  });

  it('treats a CRLF split across chunks as one line ending', () => {
    expect(parse('data: x\r', '\n', '\r', '\n')).toEqual([{ event: 'message', data: 'x', id: undefined }]);
  });

  it('ignores comments, unknown fields and events without data', () => {
    expect(parse(': keep-alive\n\nretry: 100\nfoo: bar\nevent: ping\n\ndata: real\n\n')).toEqual([
      { event: 'message', data: 'real', id: undefined },
    ]);
  });

  it('keeps events intact however the bytes are split', () => {
    const text = 'event: start\ndata: {"a":1}\n\nevent: delta\ndata: {"text":"x y"}\n\n';
    const whole = parse(text);
    for (let size = 1; size < text.length; size++) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!;
      expect(parse(...chunks)).toEqual(whole);
    }
    expect(whole).toHaveLength(2);
  });

  it('dispatches a final event that has no trailing blank line', () => {
    expect(parse('event: done\ndata: {"ok":true}')).toEqual([{ event: 'done', data: '{"ok":true}', id: undefined }]);
    expect(parse('event: done\ndata: last\n')).toEqual([{ event: 'done', data: 'last', id: undefined }]);
  });

  it('drops exactly one space after the colon, and a leading byte order mark', () => {
    expect(parse('\uFEFFdata:  two spaces\n\n')).toEqual([{ event: 'message', data: ' two spaces', id: undefined }]);
  });

  it('resets the event name after each dispatch', () => {
    expect(parse('event: a\ndata: 1\n\ndata: 2\n\n').map((e) => e.event)).toEqual(['a', 'message']);
  });
});

describe('readEvents', () => {
  it('decodes UTF-8 split inside a character', async () => {
    const bytes = new TextEncoder().encode('data: héllo ✓\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]));
        controller.close();
      },
    });
    const events: ServerSentEvent[] = [];
    for await (const e of readEvents(body)) events.push(e);
    expect(events).toEqual([{ event: 'message', data: 'héllo ✓', id: undefined }]);
  });
});
