import type { ChatMessage } from '../ports/chat.js';

/** Questions this short are usually follow-ups ("and for Germany?") that lean on the last turn. */
const FOLLOW_UP_MAX_WORDS = 8;
const PREVIOUS_TURN_MAX_CHARS = 500;

/**
 * What to search the knowledge for. A self-contained question is searched as it is; a
 * short one is searched together with the previous user turn, so that follow-ups find
 * the passages the conversation is about. (No model call: query rewriting by a language
 * model would add its latency to every answer's first token.)
 */
export const retrievalQuery = (question: string, history: readonly ChatMessage[]): string => {
  const words = question.trim().split(/\s+/).filter(Boolean).length;
  if (words > FOLLOW_UP_MAX_WORDS) return question;
  const previous = [...history].reverse().find((m) => m.role === 'user');
  if (!previous) return question;
  return `${previous.content.slice(0, PREVIOUS_TURN_MAX_CHARS)}\n${question}`;
};
