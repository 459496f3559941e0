import { describe, expect, it } from 'vitest';
import type { ChatStreamPart } from '../../ports/chat.js';
import { extractiveAnswer, extractiveAnswerer, NO_MODEL_NOTE, NOTHING_FOUND } from './extractive-answerer.js';

const sources = [
  {
    index: 1,
    title: 'Handbook',
    text: '# Leave\n\nEmployees receive 28 days of paid annual leave per year. Unused leave can be carried over until March.\n\n# Equipment\n\nEvery employee gets a laptop on their first day.',
  },
  {
    index: 2,
    title: 'Expenses',
    text: 'Travel expenses are reimbursed within 14 days after the receipt is submitted. Meals are covered up to 40 euros per day.',
  },
];

describe('extractive answerer', () => {
  it.each([
    ['How many days of annual leave do employees get?', 'Employees receive 28 days of paid annual leave per year. [1]'],
    ['When are travel expenses reimbursed?', 'Travel expenses are reimbursed within 14 days after the receipt is submitted. [2]'],
    ['How much is covered for meals?', 'Meals are covered up to 40 euros per day. [2]'],
    ['Do I get a laptop?', 'Every employee gets a laptop on their first day. [1]'],
  ])('answers %s from the best sentence, cited', (question, expected) => {
    const answer = extractiveAnswer(question, sources);
    expect(answer.startsWith(expected)).toBe(true);
    expect(answer).toContain(NO_MODEL_NOTE);
  });

  it('says so when there are no sources', () => {
    expect(extractiveAnswer('Anything?', [])).toBe(`${NOTHING_FOUND}\n\n${NO_MODEL_NOTE}`);
  });

  it('streams word deltas then stop, and honours an aborted signal', async () => {
    const model = extractiveAnswerer();
    const parts: ChatStreamPart[] = [];
    for await (const part of model.stream({ messages: [], grounding: { question: 'laptop?', sources } })) parts.push(part);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    expect(parts.filter((p) => p.type === 'text-delta').length).toBeGreaterThan(5);
    const text = parts.map((p) => (p.type === 'text-delta' ? p.text : '')).join('');
    expect(text).toBe(extractiveAnswer('laptop?', sources));

    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const run = async () => {
      for await (const _ of model.stream({ messages: [], grounding: { question: 'laptop?', sources }, signal: controller.signal })) {
        /* drain */
      }
    };
    await expect(run()).rejects.toThrow('gone');
  });
});
