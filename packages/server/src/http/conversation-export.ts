import type { ConversationWithMessages } from '@atrium/core';
import { stringify } from 'csv-stringify/sync';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { conversationWithMessagesJson } from '../schemas/conversations.js';

/**
 * Conversation exports (API.md: `format=csv|jsonl`, streamed as a download). JSON Lines
 * carries each conversation exactly as `GET /conversations/{id}` does, one per line; CSV
 * has one row per message, with its conversation's author and the answer's feedback, for
 * a spreadsheet.
 */

const CSV_COLUMNS = [
  'conversation_id',
  'conversation_title',
  'channel',
  'user_id',
  'api_key_id',
  'visitor_id',
  'visitor_verified',
  'visitor_subject',
  'visitor_name',
  'visitor_email',
  'conversation_started_at',
  'message_id',
  'role',
  'created_at',
  'content',
  'citations',
  'feedback_rating',
  'feedback_comment',
  'model',
  'prompt_tokens',
  'completion_tokens',
];

/**
 * Text a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a CR)
 * gets a leading apostrophe, as OWASP advises against CSV injection. JSON Lines is exact.
 */
const inert = (value: string | null | undefined): string => {
  const text = value ?? '';
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

const csvRows = (c: ConversationWithMessages): string[][] =>
  c.messages.map((m) => [
    c.id,
    inert(c.title),
    c.channel,
    c.userId ?? '',
    c.apiKeyId ?? '',
    c.visitorId ?? '',
    c.visitorId ? String(c.visitorIdentity !== null) : '',
    inert(c.visitorIdentity?.subject),
    inert(c.visitorIdentity?.name),
    inert(c.visitorIdentity?.email),
    c.createdAt.toISOString(),
    m.id,
    m.role,
    m.createdAt.toISOString(),
    inert(m.content),
    m.citations.join(' '),
    m.feedback?.rating ?? '',
    inert(m.feedback?.comment),
    m.model ?? '',
    m.usage ? String(m.usage.promptTokens) : '',
    m.usage ? String(m.usage.completionTokens) : '',
  ]);

/** Streams the conversations as an attachment named `name.csv` or `name.jsonl`. */
export const streamConversations = (c: Context, conversations: AsyncIterable<ConversationWithMessages>, format: 'csv' | 'jsonl', name: string): Response => {
  c.header('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="${name}.${format}"`);
  c.header('Cache-Control', 'no-store');
  return stream(c, async (out) => {
    if (format === 'csv') await out.write(stringify([CSV_COLUMNS]));
    for await (const conversation of conversations) {
      if (out.aborted) return;
      await out.write(format === 'csv' ? stringify(csvRows(conversation)) : `${JSON.stringify(conversationWithMessagesJson(conversation))}\n`);
    }
  });
};
