import { describe, expect, it } from 'vitest';
import {
  chatModelSpecFor,
  contextWindowFor,
  defaultMaxOutputTokensFor,
  FALLBACK_CHAT_MODEL,
  isReasoningModel,
  KNOWN_CHAT_MODELS,
  matchChatModel,
} from './model-catalog.js';

describe('model catalog', () => {
  it.each([
    ['gpt-4o-mini', 128_000],
    ['gpt-4o', 128_000],
    ['gpt-4o-mini-2024-07-18', 128_000],
    ['gpt-4.1', 1_047_576],
    ['gpt-4.1-mini', 1_047_576],
    ['gpt-4.1-nano-2025-04-14', 1_047_576],
    ['o3', 200_000],
    ['o3-mini', 200_000],
    ['o4-mini', 200_000],
    ['gpt-3.5-turbo', 16_385],
    ['gpt-3.5-turbo-0125', 16_385],
    ['gpt-4-turbo', 128_000],
    ['gpt-4-turbo-2024-04-09', 128_000],
    ['gpt-4', 8192],
    ['gpt-4-0613', 8192],
    ['gpt-5', 400_000],
    ['gpt-5-mini', 400_000],
    ['gpt-5-nano-2025-08-07', 400_000],
    ['llama3.1', 131_072],
    ['llama3.1:8b', 131_072],
    ['llama3.2:3b-instruct-q4_K_M', 131_072],
    ['llama3:8b', 8192],
    ['qwen2.5:7b', 32_768],
    ['mistral', 32_768],
    ['mistral:7b-instruct', 32_768],
    ['mistral-nemo:12b', 131_072],
  ])('%s has a window of %i tokens', (id, window) => {
    expect(contextWindowFor(id)).toBe(window);
  });

  it('matches exactly first, then by the longest known prefix', () => {
    expect(matchChatModel('gpt-4o-mini-2024-07-18')).toBe('gpt-4o');
    expect(matchChatModel('gpt-4.1-mini')).toBe('gpt-4.1');
    expect(matchChatModel('gpt-4-32k-0613')).toBe('gpt-4-32k');
    expect(matchChatModel('gpt-3.5-turbo-instruct')).toBe('gpt-3.5-turbo-instruct');
    expect(matchChatModel('gpt-5-chat-latest')).toBe('gpt-5-chat');
    expect(matchChatModel('llama3.1:8b')).toBe('llama3.1');
    expect(matchChatModel('something-else')).toBeNull();
    expect(matchChatModel('')).toBeNull();
  });

  it('resolves fine-tunes, namespaced and Hugging Face ids, whatever the case', () => {
    expect(matchChatModel('ft:gpt-4o-mini-2024-07-18:acme:support:abc123')).toBe('gpt-4o');
    expect(matchChatModel('openai/gpt-4o')).toBe('gpt-4o');
    expect(matchChatModel('meta-llama/Llama-3.1-8B-Instruct')).toBe('llama-3.1');
    expect(matchChatModel('Qwen/Qwen2.5-7B-Instruct')).toBe('qwen2.5');
    expect(matchChatModel('  GPT-4o  ')).toBe('gpt-4o');
  });

  it('falls back to 8192 tokens for unknown models', () => {
    expect(contextWindowFor('my-private-model')).toBe(8192);
    expect(chatModelSpecFor('my-private-model')).toEqual({ ...FALLBACK_CHAT_MODEL, matchedId: null });
  });

  it('lets an override win, and keeps the output reservation within a quarter of the window', () => {
    expect(contextWindowFor('llama3.1:8b', 4096)).toBe(4096);
    expect(contextWindowFor('unknown', 32_000)).toBe(32_000);
    expect(defaultMaxOutputTokensFor('llama3.1:8b')).toBe(2048);
    expect(defaultMaxOutputTokensFor('llama3.1:8b', 4096)).toBe(1024);
    expect(defaultMaxOutputTokensFor('gpt-4o')).toBe(4096);
    // Nonsense overrides are ignored.
    expect(contextWindowFor('gpt-4o', 0)).toBe(128_000);
    expect(contextWindowFor('gpt-4o', Number.NaN)).toBe(128_000);
    expect(chatModelSpecFor('gpt-4o', { defaultMaxOutputTokens: 1000 }).defaultMaxOutputTokens).toBe(1000);
  });

  it('knows which models reason', () => {
    expect(isReasoningModel('o3-mini')).toBe(true);
    expect(isReasoningModel('gpt-5-mini')).toBe(true);
    expect(isReasoningModel('gpt-5-chat-latest')).toBe(false);
    expect(isReasoningModel('gpt-4o')).toBe(false);
    expect(isReasoningModel('llama3.1')).toBe(false);
  });

  it('keeps every entry consistent', () => {
    for (const [id, entry] of Object.entries(KNOWN_CHAT_MODELS)) {
      expect(id, id).toBe(id.toLowerCase());
      expect(entry.defaultMaxOutputTokens, id).toBeLessThanOrEqual(entry.contextWindow / 4);
    }
  });
});
