import { describe, expect, it } from 'vitest';
import { citedIndexes } from './citations.js';
import { retrievalQuery } from './retrieval-query.js';

describe('citedIndexes', () => {
  it('reads [n], [n, m] and [n][m] in order of first citation, ignoring unknown indexes', () => {
    expect(citedIndexes('A [2]. B [1, 3]. C [2][4]. D [9] and [0].', 4)).toEqual([2, 1, 3, 4]);
    expect(citedIndexes('No citations here, only [a] and [].', 3)).toEqual([]);
  });
});

describe('retrievalQuery', () => {
  const history = [
    { role: 'user' as const, content: 'What is the travel expense policy?' },
    { role: 'assistant' as const, content: 'Expenses are reimbursed within 14 days.' },
  ];
  it('adds the previous user turn to short follow-ups', () => {
    expect(retrievalQuery('And meals?', history)).toBe('What is the travel expense policy?\nAnd meals?');
  });
  it('searches self-contained questions as they are', () => {
    const question = 'How many days of paid annual leave do employees receive per calendar year?';
    expect(retrievalQuery(question, history)).toBe(question);
    expect(retrievalQuery('And meals?', [])).toBe('And meals?');
  });
});
