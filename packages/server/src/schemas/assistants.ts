import { z } from '@hono/zod-openapi';
import {
  INSTRUCTIONS_MAX_LENGTH,
  MAX_TOKENS_RANGE,
  RETRIEVAL_TOP_K_RANGE,
  SEARCH_MODES,
  TEMPERATURE_RANGE,
  type Assistant,
  type ModelCatalog,
} from '@atrium/core';
import { iso } from './common.js';

// The ranges mirror core's checks (services/assistants/assistants.ts), so the document is
// honest about what is accepted; core validates again for callers that skip HTTP.
const NAME_MAX_LENGTH = 200;
const DESCRIPTION_MAX_LENGTH = 2000;
const MIN_SCORE_RANGE = { min: 0, max: 100 } as const;
const MAX_LINKED = 100;

export const RetrievalSchema = z
  .object({
    topK: z.number().int().openapi({ description: 'Passages retrieved per question', example: 6 }),
    mode: z.enum(SEARCH_MODES),
    minScore: z.number().openapi({ description: "Passages scoring below this (in the mode's own score) are left out", example: 0 }),
  })
  .openapi('RetrievalSettings');

export const AssistantSchema = z
  .object({
    id: z.string(),
    spaceId: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    instructions: z.string().openapi({ description: 'The system prompt' }),
    model: z.string().nullable().openapi({ description: "A completion model id; null → the installation's default" }),
    temperature: z.number().nullable().openapi({ description: "null → the provider's default" }),
    maxTokens: z.number().int().nullable().openapi({ description: "The most tokens one answer may have; null → the model's default" }),
    collectionIds: z.array(z.string()),
    websiteIds: z.array(z.string()),
    retrieval: RetrievalSchema,
    published: z.boolean().openapi({ description: 'Viewers (and widget visitors) only see published assistants' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Assistant');

const RetrievalInput = z
  .object({
    topK: z.number().int().min(RETRIEVAL_TOP_K_RANGE.min).max(RETRIEVAL_TOP_K_RANGE.max),
    mode: z.enum(SEARCH_MODES),
    minScore: z.number().min(MIN_SCORE_RANGE.min).max(MIN_SCORE_RANGE.max),
  })
  .partial()
  .openapi('RetrievalInput');

const assistantFields = {
  name: z.string().min(1).max(NAME_MAX_LENGTH),
  description: z.string().max(DESCRIPTION_MAX_LENGTH).nullable(),
  instructions: z.string().max(INSTRUCTIONS_MAX_LENGTH).openapi({ description: 'The system prompt; a generic one when omitted' }),
  model: z
    .string()
    .min(1)
    .max(200)
    .nullable()
    .openapi({ description: 'A completion model from GET /api/v1/models; null → the default' }),
  temperature: z.number().min(TEMPERATURE_RANGE.min).max(TEMPERATURE_RANGE.max).nullable(),
  maxTokens: z.number().int().min(MAX_TOKENS_RANGE.min).max(MAX_TOKENS_RANGE.max).nullable(),
  collectionIds: z
    .array(z.string().min(1).max(200))
    .max(MAX_LINKED)
    .openapi({ description: "Collections of the assistant's own space it answers from" }),
  websiteIds: z
    .array(z.string().min(1).max(200))
    .max(MAX_LINKED)
    .openapi({ description: "Websites of the assistant's own space it answers from (through their collections of crawled pages)" }),
  retrieval: RetrievalInput,
  published: z.boolean().openapi({ description: 'Viewers (and widget visitors) only see published assistants' }),
};

export const CreateAssistantSchema = z
  .object(assistantFields)
  .partial()
  .extend({ name: assistantFields.name })
  .openapi('CreateAssistant');

export const UpdateAssistantSchema = z.object(assistantFields).partial().openapi('UpdateAssistant');

export const ModelCatalogSchema = z
  .object({
    completion: z.array(
      z.object({
        id: z.string(),
        provider: z.string(),
        contextWindow: z.number().int().openapi({ description: 'Tokens the model reads at once (prompt and answer)' }),
        default: z.boolean().openapi({ description: 'Used by assistants that name no model' }),
      }),
    ),
    embedding: z.array(
      z.object({
        id: z.string(),
        dimensions: z.number().int(),
        default: z.boolean().openapi({ description: 'Used by collections that name no model' }),
      }),
    ),
  })
  .openapi('ModelCatalog');

export const assistantJson = (a: Assistant) => ({
  id: a.id,
  spaceId: a.spaceId,
  name: a.name,
  description: a.description,
  instructions: a.instructions,
  model: a.model,
  temperature: a.temperature,
  maxTokens: a.maxTokens,
  collectionIds: a.collectionIds,
  websiteIds: a.websiteIds,
  retrieval: { topK: a.retrieval.topK, mode: a.retrieval.mode, minScore: a.retrieval.minScore },
  published: a.published,
  createdAt: iso(a.createdAt),
  updatedAt: iso(a.updatedAt),
});

export const modelCatalogJson = (m: ModelCatalog) => ({
  completion: m.completion.map((c) => ({ id: c.id, provider: c.provider, contextWindow: c.contextWindow, default: c.default })),
  embedding: m.embedding.map((e) => ({ id: e.id, dimensions: e.dimensions, default: e.default })),
});
