import type { GroundingSource } from '../ports/chat.js';

/** How the sources are put in front of the model, and how it is told to cite them. */
export const GROUNDING_RULES =
  'Answer using the numbered sources below. Cite every source you use as [n] right after ' +
  'the statement it supports, e.g. "Refunds take 5 days [2]." If the sources do not contain ' +
  'the answer, say that you do not know rather than guessing.';

export const NO_SOURCES_NOTE =
  'No sources were found for this question. Say that the knowledge available to you does not cover it, unless the conversation already answers it.';

export const formatSource = (source: GroundingSource): string => `[${source.index}] ${source.title}\n${source.text}`;

/** The system message: the assistant's instructions, then the grounding rules and sources. */
export const systemPrompt = (instructions: string, sources: readonly GroundingSource[]): string => {
  const parts = [instructions.trim()];
  if (sources.length === 0) parts.push(NO_SOURCES_NOTE);
  else parts.push(GROUNDING_RULES, `Sources:\n\n${sources.map(formatSource).join('\n\n')}`);
  return parts.filter(Boolean).join('\n\n');
};
