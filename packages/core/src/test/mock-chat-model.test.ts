import { describe, expect, it } from 'vitest';
import { AtriumError } from '../domain/errors.js';
import type { ChatRequest, ChatStreamPart } from '../ports/chat.js';
import { mockChatModel, mockChatModels } from './mock-chat-model.js';

const ask = (question: string, signal?: AbortSignal): ChatRequest => ({ messages: [{ role: 'user', content: question }], signal });

const collect = async (parts: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> => {
  const out: ChatStreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
};

describe('mockChatModel', () => {
  it('records requests and streams a default answer', async () => {
    const model = mockChatModel();
    expect(model).toMatchObject({ specificationVersion: 'v1', modelId: 'mock-model', provider: 'mock', contextWindow: 8192, defaultMaxOutputTokens: 1024 });
    const request = ask('Why?');
    expect(await collect(model.stream(request))).toEqual([
      { type: 'text-delta', text: 'Answer ' },
      { type: 'text-delta', text: '[1].' },
      { type: 'finish', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2 } },
    ]);
    expect(model.calls).toEqual([request]);
  });

  it('replays scripted parts, adding a finish when missing, or answers from the request', async () => {
    const scripted = mockChatModel({ parts: [{ type: 'text-delta', text: 'Hi' }] });
    expect(await collect(scripted.stream(ask('x')))).toEqual([
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', finishReason: 'stop' },
    ]);
    const echo = mockChatModel({ respond: (request) => `You said ${request.messages.at(-1)!.content}` });
    const parts = await collect(echo.stream(ask('hello')));
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe('You said hello');
    const truncated = mockChatModel({ respond: () => [{ type: 'text-delta', text: 'Lo' }, { type: 'finish', finishReason: 'length' }] });
    expect((await collect(truncated.stream(ask('x')))).at(-1)).toEqual({ type: 'finish', finishReason: 'length' });
  });

  it('fails before or part way through the answer', async () => {
    const error = new AtriumError('unavailable', 'model_unavailable', 'down');
    await expect(collect(mockChatModel({ failWith: error }).stream(ask('x')))).rejects.toBe(error);
    const seen: ChatStreamPart[] = [];
    const midway = mockChatModel({ parts: [{ type: 'text-delta', text: 'a' }, { type: 'text-delta', text: 'b' }], failWith: error, failAfterParts: 1 });
    await expect(
      (async () => {
        for await (const part of midway.stream(ask('x'))) seen.push(part);
      })(),
    ).rejects.toBe(error);
    expect(seen).toEqual([{ type: 'text-delta', text: 'a' }]);
  });

  it('throws the abort reason, also while waiting between parts', async () => {
    const model = mockChatModel({ respond: () => 'one two three', delayMs: 20 });
    const controller = new AbortController();
    const reason = new Error('stop');
    const stream = model.stream(ask('x', controller.signal))[Symbol.asyncIterator]();
    expect(await stream.next()).toMatchObject({ value: { type: 'text-delta', text: 'one ' } });
    const pending = stream.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(collect(model.stream(ask('x', AbortSignal.abort(reason))))).rejects.toBe(reason);
  });
});

describe('mockChatModels', () => {
  it('serves its models by id, the first by default', () => {
    const a = mockChatModel({ modelId: 'a' });
    const b = mockChatModel({ modelId: 'b' });
    const models = mockChatModels(a, b);
    expect(models.defaultModelId).toBe('a');
    expect(models.get('b')).toBe(b);
    expect(models.get('c')).toBeNull();
    expect(models.list()).toEqual([a, b]);
  });
});
