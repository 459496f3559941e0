import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../domain/knowledge.js';
import { countTokens } from '../retrieval/tokens.js';
import { fitContext } from './context-budget.js';

const hit = (n: number, words: number): SearchHit => ({
  chunkId: `chunk-${n}`,
  documentId: `doc-${n}`,
  collectionId: 'c',
  documentTitle: `Document ${n}`,
  text: Array.from({ length: words }, (_, i) => `word${n}x${i}`).join(' '),
  score: 1 / n,
  metadata: { headingPath: [], startOffset: 0, endOffset: 0 },
});

const turns = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `turn ${i} ${'blah '.repeat(40)}` }));

const total = (messages: { content: string }[]) => messages.reduce((sum, m) => sum + countTokens(m.content) + 4, 3);

describe('fitContext', () => {
  it('keeps everything when it fits, numbering sources in rank order', () => {
    const fitted = fitContext({
      instructions: 'Be nice.',
      history: turns(2),
      question: 'What?',
      hits: [hit(1, 50), hit(2, 50)],
      contextWindow: 8192,
      reserveForAnswer: 1024,
    });
    expect(fitted.sources.map((s) => [s.hit.chunkId, s.source.index])).toEqual([
      ['chunk-1', 1],
      ['chunk-2', 2],
    ]);
    expect(fitted.historyKept).toBe(2);
    expect(fitted.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(fitted.messages[0]!.content).toContain('[2] Document 2');
    expect(fitted.promptTokens()).toBe(total(fitted.messages));
  });

  it('never exceeds the window minus the answer reserve; keeps the latest turns and the best sources', () => {
    const window = 2048;
    const reserve = 512;
    const history = turns(30);
    const fitted = fitContext({
      instructions: 'Follow the rules.',
      history,
      question: 'Final question?',
      hits: Array.from({ length: 20 }, (_, i) => hit(i + 1, 120)),
      contextWindow: window,
      reserveForAnswer: reserve,
    });
    expect(total(fitted.messages)).toBeLessThanOrEqual(window - reserve);
    expect(fitted.historyKept).toBeGreaterThan(0);
    expect(fitted.historyKept).toBeLessThan(30);
    // The kept turns are the latest ones, in order, right before the question.
    expect(fitted.messages.slice(1, -1)).toEqual(history.slice(30 - fitted.historyKept));
    expect(fitted.messages.at(-1)).toEqual({ role: 'user', content: 'Final question?' });
    // Sources fill the rest in rank order: a prefix of the hits.
    expect(fitted.sources.length).toBeGreaterThan(0);
    expect(fitted.sources.length).toBeLessThan(20);
    expect(fitted.sources.map((s) => s.hit.chunkId)).toEqual(Array.from({ length: fitted.sources.length }, (_, i) => `chunk-${i + 1}`));
  });

  it('cuts the last source to fit rather than dropping it when enough room is left', () => {
    const fitted = fitContext({
      instructions: 'x',
      history: [],
      question: 'q',
      hits: [hit(1, 3000)],
      contextWindow: 2048,
      reserveForAnswer: 512,
    });
    expect(fitted.sources).toHaveLength(1);
    const text = fitted.sources[0]!.source.text;
    expect(text.length).toBeLessThan(hit(1, 3000).text.length);
    expect(hit(1, 3000).text.startsWith(text)).toBe(true);
    expect(total(fitted.messages)).toBeLessThanOrEqual(2048 - 512);
  });

  it('refuses with context_too_long when instructions and question alone do not fit', () => {
    expect(() =>
      fitContext({ instructions: 'rule '.repeat(3000), history: [], question: 'q', hits: [], contextWindow: 2048, reserveForAnswer: 256 }),
    ).toThrow(expect.objectContaining({ code: 'context_too_long', kind: 'invalid' }));
  });

  it('tells the model when nothing was found', () => {
    const fitted = fitContext({ instructions: 'Hi.', history: [], question: 'q', hits: [], contextWindow: 4096, reserveForAnswer: 512 });
    expect(fitted.sources).toEqual([]);
    expect(fitted.messages[0]!.content).toContain('No sources were found');
  });
});
