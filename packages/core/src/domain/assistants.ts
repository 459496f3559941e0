import type { SearchMode } from './knowledge.js';

/** Assistants: instructions, a completion model and the knowledge they answer from. */

export interface RetrievalSettings {
  /** Passages retrieved per question (1–50). */
  topK: number;
  mode: SearchMode;
  /**
   * Passages scoring below this are not given to the model. The score is the mode's own:
   * cosine similarity for `vector`, BM25 for `keyword`, and for `hybrid` the fused score
   * (0 to 1, relative to the best hit of the same search), so 0 (keep all) is the usual value.
   */
  minScore: number;
}

export const DEFAULT_RETRIEVAL: RetrievalSettings = { topK: 6, mode: 'hybrid', minScore: 0 };
export const RETRIEVAL_TOP_K_RANGE = { min: 1, max: 50 } as const;
export const TEMPERATURE_RANGE = { min: 0, max: 2 } as const;
export const MAX_TOKENS_RANGE = { min: 1, max: 32_768 } as const;
export const INSTRUCTIONS_MAX_LENGTH = 20_000;

export interface Assistant {
  id: string;
  tenantId: string;
  spaceId: string;
  name: string;
  description: string | null;
  /** The system prompt. */
  instructions: string;
  /** A completion model id; null → the installation's default (ATRIUM_CHAT_MODEL). */
  model: string | null;
  /** null → the provider's default. */
  temperature: number | null;
  /** The most tokens one answer may have; null → the model's default budget. */
  maxTokens: number | null;
  collectionIds: string[];
  websiteIds: string[];
  retrieval: RetrievalSettings;
  /** Viewers (and widget visitors) only see published assistants. */
  published: boolean;
  createdAt: Date;
  updatedAt: Date;
}
